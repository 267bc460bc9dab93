package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.TestServer;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.store.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real server: the rules of one evaluation pass that read the same closed windows of a
 * model read them from storage once for all ({@link PassWindows}), and the next pass reads them again, so
 * that a late event in a closed window changes the decision as before.
 */
class AlertPassReadsTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_800_000_000_000L; // a minute's start
    private static final String CONFIG = """
            alerting: {default_rules: false, evaluation_interval: 1h}
            models:
              m: {task: regression, window: 1m}
            rules:
              - alert: Busy
                expr: count > 5
              - alert: Errors
                expr: error_rate > 0.5
              - alert: Fast
                expr: throughput_per_s > 1000
              - alert: Slow
                expr: latency_p99_ms > 1000000
            """;

    @TempDir
    Path dir;

    /** Store reads of one model's windows made by the test's own thread (the passes it runs). */
    private final AtomicInteger reads = new AtomicInteger();

    private Store counting(Store real) {
        Thread test = Thread.currentThread();
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("profiles") && args != null && args.length == 4
                            && Thread.currentThread() == test) {
                        reads.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static String events(String prefix, long timestamp, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"").append(prefix).append(i)
                    .append("\",\"timestamp\":").append(timestamp + i).append(",\"prediction\":").append(i)
                    .append(",\"latency_ms\":5}");
        }
        return b.append("]").toString();
    }

    /** rule -> state of its alert on model m, for the rules with one. */
    private static Map<String, String> states(TestServer server) {
        Map<String, String> out = new TreeMap<>();
        for (com.fasterxml.jackson.databind.JsonNode a : server.get("/api/v1/alerts").json().path("alerts")) {
            out.put(a.path("rule").asText(), a.path("state").asText());
        }
        return out;
    }

    @Test
    void thePassReadsEachWindowOnceForAllItsRulesAndTheNextPassSeesALateEvent() throws Exception {
        ManualClock clock = new ManualClock(T0 + 30_000);
        try (TestServer server = TestServer.start(ConfigLoader.parse(CONFIG, "modelwatch.yml").withDataDir(dir), clock,
                this::counting)) {
            assertThat(server.postJson(events("a", T0 - 2 * MINUTE, 3)).json().path("rejected").asInt()).isZero();
            assertThat(server.postJson(events("b", T0 - MINUTE, 3)).json().path("rejected").asInt()).isZero();
            server.server().awaitAggregated(Duration.ofMinutes(1));

            reads.set(0);
            server.evaluateAlerts(clock.millis());
            // four rules over the same last five minutes: one read of the model's windows, not four
            assertThat(reads.get()).isEqualTo(1);
            assertThat(states(server)).doesNotContainKey("Busy");

            // three late events in the last closed window: its count goes from 3 to 6
            assertThat(server.postJson(events("c", T0 - MINUTE + 100, 3)).json().path("rejected").asInt()).isZero();
            server.server().awaitAggregated(Duration.ofMinutes(1));
            clock.advance(Duration.ofSeconds(1));
            reads.set(0);
            server.evaluateAlerts(clock.millis());
            assertThat(reads.get()).isEqualTo(1);
            assertThat(states(server)).containsEntry("Busy", "firing");
        }
    }
}
