package dev.modelwatch.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.diagnosis.ProfileDiagnoser;
import dev.modelwatch.server.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * {@code modelwatch demo} at a high speed, read only through the public API: within two minutes and
 * with no other step, at least three different kinds of alert fire, none before the first fault, the
 * demo's webhook receiver is notified, each of the script's first three faults (drift, pipeline
 * break, bad version) has an incident that ranks its cause first, and the latency spike makes
 * infrastructure a probable cause.
 */
class DemoEndToEndTest {
    private static final Duration LIMIT = Duration.ofMinutes(2);
    /**
     * The faults whose incident must name their cause first: the first three of the script. The latency
     * spike's alert may join the bad version's incident while it is still open (the two faults are ten
     * demo minutes apart): infrastructure must then be a probable cause of an incident.
     */
    private static final Set<FaultScript.Kind> NAMED_FIRST = EnumSet.of(FaultScript.Kind.FEATURE_DRIFT,
            FaultScript.Kind.PIPELINE_BREAK, FaultScript.Kind.BAD_VERSION);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theDemoFiresThreeKindsOfAlertWithinTwoMinutes() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService hooks = Executors.newSingleThreadExecutor();
        List<String> printed = new CopyOnWriteArrayList<>();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        // 300x: the script's first five faults are injected within the first 45 s
        try (Demo demo = Demo.start(new Demo.Options(0, null, 300),
                new Demo.Services(Clock.systemUTC(), System::nanoTime, new SplittableRandom(7), timer, hooks),
                printed::add)) {
            String base = "http://127.0.0.1:" + demo.port();
            assertThat(printed.get(0)).isEqualTo("dashboard: " + base + "/  (open it in a browser)");
            Set<String> fired = new TreeSet<>();
            Set<String> notified = new TreeSet<>();
            List<JsonNode> alerts = new ArrayList<>();
            Set<FaultScript.Kind> diagnosed = EnumSet.noneOf(FaultScript.Kind.class);
            boolean infrastructure = false;
            while (System.nanoTime() < deadline && (fired.size() < 3 || notified.isEmpty()
                    || !diagnosed.containsAll(NAMED_FIRST) || !infrastructure)) {
                alerts.clear();
                alerts.addAll(alerts(base, "firing"));
                alerts.addAll(alerts(base, "resolved"));
                alerts.forEach(a -> fired.add(a.path("rule").asText()));
                for (WebhookReceiver.Notification n : demo.webhook().received()) {
                    n.alerts().forEach(a -> notified.add(a.labels().get("alertname")));
                }
                JsonNode incidents = incidents(base);
                diagnosed = faultsWhoseIncidentRanksTheirCauseFirst(incidents, demo.clock().originMs());
                infrastructure = probableCause(incidents, FaultScript.Kind.LATENCY_SPIKE.causeKind());
                Thread.sleep(500);
            }
            assertThat(diagnosed).as("faults with an incident whose top cause is the fault's: %s",
                    get(base + "/api/v1/incidents?model=" + DemoTraffic.MODEL)).containsAll(NAMED_FIRST);
            assertThat(infrastructure).as("an incident with infrastructure (the latency spike) as a probable cause: %s",
                    get(base + "/api/v1/incidents?model=" + DemoTraffic.MODEL)).isTrue();
            assertThat(fired).as("alert rules that fired, printed: %s", printed).hasSizeGreaterThanOrEqualTo(3);
            Instant firstFault = Instant.ofEpochMilli(demo.clock().originMs()).plus(FaultScript.FAULTS.get(0).start());
            for (JsonNode a : alerts) {
                assertThat(a.path("fired_at").isTextual()).as("fired_at of %s", a).isTrue();
                assertThat(Instant.parse(a.path("fired_at").asText())).as("a false alarm before the first fault: %s", a)
                        .isAfterOrEqualTo(firstFault);
            }
            assertThat(notified).as("alerts the webhook receiver was told of").containsAnyElementsOf(fired);
            assertThat(demo.traffic().counts().getOrDefault("rejected", 0L)).as("events the server rejected").isZero();
            assertThat(printed).anyMatch(l -> l.contains("injecting FEATURE_DRIFT"));
        } finally {
            timer.shutdownNow();
            hooks.shutdownNow();
        }
    }

    /** The demo model's alerts in {@code state} (the first page: the demo makes fewer than a page's worth). */
    private List<JsonNode> alerts(String base, String state) throws IOException, InterruptedException {
        JsonNode page = get(base + "/api/v1/alerts?model=" + DemoTraffic.MODEL + "&state=" + state);
        List<JsonNode> alerts = new ArrayList<>();
        page.path("alerts").forEach(alerts::add);
        return alerts;
    }

    /**
     * The faults of the script with an incident of the demo's model, opened while the fault was injected,
     * that ranks the fault's cause first ({@link FaultScript.Kind#causeKind()}).
     */
    static Set<FaultScript.Kind> faultsWhoseIncidentRanksTheirCauseFirst(JsonNode incidents, long originMs) {
        Set<FaultScript.Kind> matching = EnumSet.noneOf(FaultScript.Kind.class);
        for (JsonNode incident : incidents) {
            long openedAt = incident.path("opened_at").isNumber() ? incident.path("opened_at").asLong()
                    : java.time.Instant.parse(incident.path("opened_at").asText()).toEpochMilli();
            FaultScript.Fault fault = FaultScript.at(Duration.ofMillis(openedAt - originMs));
            String top = incident.path("causes").path(0).path("kind").asText(null);
            if (fault != null && fault.kind().causeKind().equals(top)) {
                matching.add(fault.kind());
            }
        }
        return matching;
    }

    /** The demo model's incidents (the first page: the demo makes fewer than a page's worth). */
    private JsonNode incidents(String base) throws IOException, InterruptedException {
        JsonNode page = get(base + "/api/v1/incidents?model=" + DemoTraffic.MODEL);
        return page.isArray() ? page : page.path("incidents");
    }

    /** Whether an incident has a cause of {@code kind} scoring at least {@link ProfileDiagnoser#PROBABLE}. */
    static boolean probableCause(JsonNode incidents, String kind) {
        for (JsonNode incident : incidents) {
            for (JsonNode cause : incident.path("causes")) {
                if (kind.equals(cause.path("kind").asText()) && cause.path("score").asDouble() >= ProfileDiagnoser.PROBABLE) {
                    return true;
                }
            }
        }
        return false;
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as("GET %s: %s", url, new String(r.body())).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }
}
