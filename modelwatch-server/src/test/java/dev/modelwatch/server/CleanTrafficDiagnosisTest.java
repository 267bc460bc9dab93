package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.diagnosis.ProfileDiagnoser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnosis finds no probable cause in traffic of one unchanging distribution built to be hard on
 * false alarms ({@link CleanTraffic}: correlated normals, lognormals, a rare NaN, a 5% missing
 * feature, long-tail categoricals, miscalibrated scores), whatever onset it is asked about: 30
 * one-minute windows of 2,000 labelled predictions, diagnosed around three onsets. Five more windows
 * with one feature shifted then give a probable cause naming it (the diagnosis did look).
 */
class CleanTrafficDiagnosisTest {
    private static final long MINUTE = 60_000L;

    @Test
    void cleanTrafficHasNoProbableCauseAtAnyOnset(@TempDir Path dir) throws Exception {
        int windows = 30;
        long start = 20_500 * 86_400_000L;
        ManualClock clock = new ManualClock(start - MINUTE);
        var config = ConfigLoader.parse("""
                models:
                  clean: {task: binary_classification, positive_class: "1", window: 1m}
                """, "modelwatch.yml").withDataDir(dir);
        CleanTraffic traffic = new CleanTraffic(7_001);
        try (TestServer server = TestServer.start(config, clock)) {
            for (int w = 0; w < windows; w++) {
                long from = start + w * MINUTE;
                clock.now.set(from + MINUTE);
                StringBuilder labels = new StringBuilder();
                post(server, traffic.predictions("clean", "w" + w, 2_000, from, MINUTE, labels));
                post(server, labels.toString());
            }
            server.server().awaitAggregated(Duration.ofMinutes(1));
            long to = start + windows * MINUTE;
            for (int onsetWindow : new int[] {5, 15, 25}) {
                JsonNode d = server.get("/api/v1/models/clean/diagnosis?from=" + start + "&to=" + to + "&onset="
                        + (start + onsetWindow * MINUTE)).json();
                JsonNode causes = d.path("causes");
                double best = causes.isEmpty() ? 0 : causes.get(0).path("score").asDouble();
                assertThat(best).as("onset at window %d: %s", onsetWindow, causes).isLessThan(ProfileDiagnoser.PROBABLE);
            }

            // the same traffic with n4 shifted by 4 sd from window 30 on: now there is a cause, and it is n4
            java.util.regex.Pattern n4 = java.util.regex.Pattern.compile("\"n4\":([-0-9.eE+]+)");
            for (int w = windows; w < windows + 5; w++) {
                long from = start + w * MINUTE;
                clock.now.set(from + MINUTE);
                StringBuilder labels = new StringBuilder();
                String shifted = n4.matcher(traffic.predictions("clean", "w" + w, 2_000, from, MINUTE, labels))
                        .replaceAll(m -> "\"n4\":" + (Double.parseDouble(m.group(1)) + 60));
                post(server, shifted);
                post(server, labels.toString());
            }
            server.server().awaitAggregated(Duration.ofMinutes(1));
            JsonNode causes = server.get("/api/v1/models/clean/diagnosis?from=" + start + "&to="
                    + (to + 5 * MINUTE) + "&onset=" + to).json().path("causes");
            assertThat(causes.path(0).path("kind").asText()).as(causes.toString()).isEqualTo("covariate_drift");
            assertThat(causes.path(0).path("feature").asText()).isEqualTo("n4");
            assertThat(causes.path(0).path("score").asDouble()).isGreaterThanOrEqualTo(ProfileDiagnoser.PROBABLE);
        }
    }

    private static void post(TestServer server, String ndjson) {
        TestServer.Response r = server.post("/api/v1/events", "application/x-ndjson",
                ndjson.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("rejected").asInt()).as(r.body()).isZero();
    }
}
