package dev.modelwatch.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.simulate.Scenarios;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's quick mode, in the build: every scenario goes through a started server and every
 * detector answers for it; the table goes to {@code target/fault-injection-quick.md}. The figures
 * themselves are BENCHMARKS.md's; what is asserted here is what the quick run must always show.
 */
class FaultInjectionBenchmarkTest {
    @Test
    void everyScenarioIsRunThroughTheServerAndEveryDetector(@TempDir Path dir) throws Exception {
        FaultInjectionBenchmark.Result r = FaultInjectionBenchmark.run(
                FaultInjectionBenchmark.Settings.quick(20_260_216), dir);
        String table = FaultInjectionBenchmark.table(r);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "fault-injection-quick.md"), table);
        System.out.println(table);

        assertThat(r.rows()).extracting(FaultInjectionBenchmark.Row::scenario)
                .containsExactlyElementsOf(Scenarios.all().stream().map(Scenarios.Named::name).toList());
        for (FaultInjectionBenchmark.Row row : r.rows()) {
            assertThat(row.baselines()).containsOnlyKeys(FaultInjectionBenchmark.BASELINES);
        }
        assertThat(r.cleanDays()).isGreaterThan(0.05);
        // a sudden drift of one sd in a feature the model weighs: the default pack and the diagnosis find it
        FaultInjectionBenchmark.Row drift = r.rows().stream().filter(x -> x.scenario().equals("covariate_drift"))
                .findFirst().orElseThrow();
        assertThat(drift.modelwatch().missed()).as(table).isZero();
        assertThat(drift.rank()).as(table).isEqualTo(1);
        assertThat(table).contains("| covariate_drift |", "| static |", "| nannyml |");
    }
}
