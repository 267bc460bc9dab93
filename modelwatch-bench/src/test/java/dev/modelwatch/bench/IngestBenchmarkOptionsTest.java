package dev.modelwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The ingest benchmark's options: defaults and parsing. */
class IngestBenchmarkOptionsTest {
    @Test
    void theHttpPhaseWarmsUpForAMinuteThenMeasuresTwentySeconds() {
        IngestBenchmarkOptions d = IngestBenchmarkOptions.parse(new String[0]);
        assertThat(d.warmup()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(IngestBenchmarkOptions.USAGE).contains("--warmup S           warm-up seconds of HTTP ingest (default 60");
    }

    @Test
    void givenOptionsReplaceTheDefaults() {
        IngestBenchmarkOptions o = IngestBenchmarkOptions.parse(new String[] {"--warmup", "40", "--duration", "30"});
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(40));
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theLoadGeneratorRunsApartUnlessAskedToShareTheServersJvm() {
        assertThat(IngestBenchmarkOptions.parse(new String[0]).inProcessLoad()).isFalse();
        IngestBenchmarkOptions o = IngestBenchmarkOptions.parse(new String[] {"--in-process-load", "--clients", "4"});
        assertThat(o.inProcessLoad()).isTrue();
        assertThat(o.clients()).isEqualTo(4);
        assertThat(IngestBenchmarkOptions.USAGE).contains("--in-process-load");
    }
}
