package dev.modelwatch.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.TestServer;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.simulate.Scenarios;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code modelwatch simulate}: a file written and read back, a scenario sent to a started server, bad flags. */
class SimulateCommandTest {
    private static final long START = 20_500 * 86_400_000L; // 2026-02-16T00:00Z
    private static final long MINUTE = 60_000L;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aScenarioWrittenToAFileReadsBackWithItsFaultFromTheLabelledOnset(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("drift.ndjson");
        Path onsets = dir.resolve("onsets.ndjson");
        Run r = run("simulate", "--scenario", "covariate_drift", "--out", file.toString(), "--onsets", onsets.toString(),
                "--duration", "20m", "--per-window", "300", "--seed", "7", "--start", Long.toString(START));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("onset: covariate at 2026-02-16T00:10:00Z (window 10), expected cause: "
                + "covariate_drift feature=x2");

        List<String> lines = Files.readAllLines(file);
        double[] sum = new double[2];
        int[] n = new int[2];
        int labels = 0;
        int metrics = 0;
        for (String line : lines) {
            JsonNode e = Json.MAPPER.readTree(line);
            switch (e.path("type").asText()) {
                case "prediction" -> {
                    assertThat(e.path("model").asText()).isEqualTo("sim-covariate-drift");
                    long ts = e.path("timestamp").asLong();
                    assertThat(ts).isBetween(START, START + 20 * MINUTE - 1);
                    int side = ts >= START + 10 * MINUTE ? 1 : 0;
                    sum[side] += e.path("features").path("x2").asDouble();
                    n[side]++;
                }
                case "label" -> labels++;
                case "metric" -> metrics++;
                default -> throw new AssertionError("unexpected event " + line);
            }
        }
        assertThat(r.out()).contains(lines.size() + " events written to " + file);
        assertThat(n[0] + n[1]).isBetween(20 * 300 * 8 / 10, 20 * 300 * 12 / 10);
        assertThat(labels).isBetween((n[0] + n[1]) * 7 / 10, (n[0] + n[1]) * 9 / 10);
        assertThat(metrics).isEqualTo(20 * 6 * 2);
        // x2 is standard normal before the onset and shifted by +1 sd after it
        assertThat(sum[0] / n[0]).isBetween(-0.1, 0.1);
        assertThat(sum[1] / n[1]).isBetween(0.9, 1.1);

        List<String> onsetLines = Files.readAllLines(onsets);
        assertThat(onsetLines).hasSize(1);
        JsonNode onset = Json.MAPPER.readTree(onsetLines.get(0));
        assertThat(onset.path("onset_ms").asLong()).isEqualTo(START + 10 * MINUTE);
        assertThat(onset.path("fault").asText()).isEqualTo("covariate");
        assertThat(onset.path("scenario").asText()).isEqualTo("covariate_drift");

        // the same seed writes the same file
        Path again = dir.resolve("again.ndjson");
        assertThat(run("simulate", "--scenario", "covariate_drift", "--out", again.toString(), "--duration", "20m",
                "--per-window", "300", "--seed", "7", "--start", Long.toString(START)).exitCode()).isZero();
        assertThat(Files.readAllLines(again)).isEqualTo(lines);
    }

    @Test
    void aRecurringFaultHasAnOnsetForEachEpisode(@TempDir Path dir) throws Exception {
        Path onsets = dir.resolve("onsets.ndjson");
        Run r = run("simulate", "--scenario", "recurring_drift", "--out", dir.resolve("e.ndjson").toString(),
                "--onsets", onsets.toString(), "--duration", "40m", "--per-window", "20", "--start", Long.toString(START));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllLines(onsets)).hasSize(2); // windows 20 and 30 of 40
        assertThat(r.out()).contains("(window 20)", "(window 30)");
    }

    @Test
    void aScenarioSentToAStartedServerIsCountedThere(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock(START + 30 * MINUTE);
        try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir.resolve("data")), clock)) {
            Run r = run("simulate", "--scenario", "missing_values", "--server", "http://127.0.0.1:" + server.server().port(),
                    "--duration", "20m", "--per-window", "200", "--seed", "3", "--start", Long.toString(START),
                    "--model", "sent", "--token-env", "MODELWATCH_SIMULATE_TEST_NO_TOKEN");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("onset: data_quality at 2026-02-16T00:10:00Z");
            server.server().awaitAggregated(Duration.ofMinutes(1));

            // the same traffic written to a file: the server counted every prediction and label in it
            Path file = dir.resolve("same.ndjson");
            assertThat(run("simulate", "--scenario", "missing_values", "--out", file.toString(), "--duration", "20m",
                    "--per-window", "200", "--seed", "3", "--start", Long.toString(START), "--model", "sent").exitCode())
                    .isZero();
            List<String> lines = Files.readAllLines(file);
            long predictions = lines.stream().filter(l -> l.contains("\"type\":\"prediction\"")).count();
            long labels = lines.stream().filter(l -> l.contains("\"type\":\"label\"")).count();
            assertThat(r.out()).contains(lines.size() + " events accepted by");

            JsonNode summary = server.get("/api/v1/models/sent/summary?from=" + START + "&to=" + (START + 20 * MINUTE))
                    .json();
            assertThat(summary.path("count").asLong()).isEqualTo(predictions);
            assertThat(summary.path("labeled").asLong()).isEqualTo(labels);
            assertThat(summary.path("features").path("x4").path("missing_rate").asDouble()).isBetween(0.15, 0.25);
            JsonNode model = server.get("/api/v1/models").json();
            assertThat(model.toString()).contains("\"sent\"", "binary_classification");
        }
    }

    @Test
    void listHelpAndBadFlags() {
        Run list = run("simulate", "--list");
        assertThat(list.exitCode()).isZero();
        for (Scenarios.Named n : Scenarios.all()) {
            assertThat(list.out()).contains(n.name());
        }
        assertThat(run("simulate", "--help").out()).contains("--scenario", "--server", "--out", "--onsets", "--speed",
                "--seed", "--duration", "--list");

        Run unknownFlag = run("simulate", "--scenario", "clean", "--out", "x", "--colour");
        assertThat(unknownFlag.exitCode()).isEqualTo(2);
        assertThat(unknownFlag.err()).contains("--colour", "Usage:");
        Run unknownScenario = run("simulate", "--scenario", "meteor", "--out", "x");
        assertThat(unknownScenario.exitCode()).isEqualTo(2);
        assertThat(unknownScenario.err()).contains("unknown scenario 'meteor'", "covariate_drift");
        Run both = run("simulate", "--scenario", "clean", "--out", "x", "--server", "http://127.0.0.1:1");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("exactly one of --server and --out");
        Run badDuration = run("simulate", "--scenario", "clean", "--out", "x", "--duration", "soon");
        assertThat(badDuration.exitCode()).isEqualTo(2);
        assertThat(badDuration.err()).contains("--duration", "soon");
        Run unreachable = run("simulate", "--scenario", "clean", "--server", "http://127.0.0.1:1", "--duration", "2m");
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.err()).contains("http://127.0.0.1:1");
    }
}
