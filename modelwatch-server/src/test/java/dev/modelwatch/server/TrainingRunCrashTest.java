package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run across a {@code kill -9} of the server process: the problems found before are still
 * reported, and the detectors continue where they were — a condition that keeps holding is not
 * reported again, and one that began before the kill is confirmed by the steps after the restart.
 */
class TrainingRunCrashTest {
    private static final String CONFIG = "server: {insecure_no_auth: true}\n";

    @TempDir
    Path dir;

    /** Steps {@code from..to-1} of run r1: fc1 dead throughout, fc2 dead from step 25 on. */
    private static String steps(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int s = from; s < to; s++) {
            b.append("{\"type\":\"training\",\"model\":\"mlp\",\"run\":\"r1\",\"step\":").append(s)
                    .append(",\"metrics\":{\"loss\":").append(2.0 / (1 + s / 50.0)).append(",\"dead_fraction/fc1\":0.9")
                    .append(s >= 25 ? ",\"dead_fraction/fc2\":0.9" : "").append("}}\n");
        }
        return b.toString();
    }

    private static JsonNode awaitEvents(ServerProcess server, long events) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode run;
        while ((run = server.json("/api/v1/runs/r1")).path("events").asLong() < events) {
            assertThat(System.nanoTime()).as("%d events applied: %s", events, run).isLessThan(deadline);
            Thread.sleep(50);
        }
        return run;
    }

    private static void awaitStoredRun(Path db) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db + "?open_mode=1");
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM training_runs")) {
                if (rs.next() && rs.getLong(1) > 0) {
                    return;
                }
            } catch (java.sql.SQLException e) {
                // not created or busy yet
            }
            assertThat(System.nanoTime()).as("the run stored").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void problemsAndDetectorsSurviveAKill() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        ServerProcess server = ServerProcess.start(data, CONFIG, "256m", dir.resolve("run-1.log"));
        JsonNode before;
        try {
            assertThat(server.postBackingOff(steps(0, 30))).isEqualTo(30);
            before = awaitEvents(server, 30).path("problems");
            assertThat(before).hasSize(1);
            assertThat(before.get(0).path("metric").asText()).isEqualTo("dead_fraction/fc1");
            assertThat(before.get(0).path("step").asLong()).isEqualTo(9);
            // the run (and its detectors' state) is stored before the log it was built from is dropped:
            // kill once it is, so that the restart reads it rather than rebuilding it from the log
            awaitStoredRun(data.resolve("modelwatch.db"));
            server.kill();
        } finally {
            server.close();
        }
        server = ServerProcess.start(data, CONFIG, "256m", dir.resolve("run-2.log"));
        try {
            JsonNode again = awaitEvents(server, 30);
            assertThat(again.path("events").asLong()).isEqualTo(30);
            assertThat(again.path("problems")).isEqualTo(before);
            // fc1 stays dead: not reported again; fc2, dead since step 25, is confirmed at its tenth step
            assertThat(server.postBackingOff(steps(30, 45))).isEqualTo(15);
            JsonNode after = awaitEvents(server, 45).path("problems");
            assertThat(after).hasSize(2);
            assertThat(after.get(0)).isEqualTo(before.get(0));
            assertThat(after.get(1).path("metric").asText()).isEqualTo("dead_fraction/fc2");
            assertThat(after.get(1).path("step").asLong()).isEqualTo(34);
        } finally {
            server.close();
        }
    }
}
