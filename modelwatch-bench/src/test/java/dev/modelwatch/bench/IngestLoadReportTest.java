package dev.modelwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's figures as written: the field names and nesting that readers of the JSON rely on. */
class IngestLoadReportTest {
    @Test
    void figuresAreWrittenWithTheirSnakeCaseNamesInOrder() throws Exception {
        IngestLoadReport report = new IngestLoadReport(
                new IngestLoadReport.Machine(2, "cpu", "8 GB", "OpenJDK 17", List.of("-Xmx1g"), 1024, "2.17"),
                new IngestLoadReport.Options(30, 10, 20, 5, 8, "scattered", 500, 1_000_000, 2, 42,
                        "separate process"),
                new IngestLoadReport.Workload(1_000_000, 2_000, 500, 612.5, 20),
                new IngestLoadReport.HttpIngest(8, 30, 900_000, 1_800, 30_000, 18.4,
                        new IngestLoadReport.Latency(12.5, 80.25, 140), 3, 1, 0,
                        new IngestLoadReport.Cpu(30, 55.5, 61.67, 4.2, 0.0757, 1.5, 12, 0.8, 2.1,
                                Map.of("aggregator", 20.5), 51.3, 57.0, 58.1, 58.1, "separate process", 0.07,
                                Map.of("jvm: JIT compilers", 0.4)),
                        new IngestLoadReport.ServerMetrics(900, 2.5, 2, 11.2, 30, 150, 1_000_000),
                        0, 1.5, 1_000_000, 1_000_000, 31, 30_769,
                        new IngestLoadReport.AggregatorInterval(new IngestLoadReport.Aggregator(100_000, 4_000),
                                new IngestLoadReport.Aggregator(982_000, 22_000), 30.01, 882_000, 29_390)),
                new IngestLoadReport.WholeRun(33, 1_000_000, 58.1, 1.6, 14, 0.9, Map.of("decode", 12.3), 17.5, 4.1),
                List.of(new IngestLoadReport.Stage("parse-only", 2, 1_000_000, 2.5, 400_000, 245.1, 4.8, 4.9, 0.01, 0.2, 7)),
                new IngestLoadReport.Ratio(0.075, 0.077, 0.31, 0.242, 0.248, 0.29, 0.073, 0.235, 0.33, 0.248, 0.29, 0.5,
                        false));
        JsonNode json = Json.MAPPER.readTree(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        assertThat(json.fieldNames()).toIterable().containsExactly("machine", "options", "workload", "http_ingest",
                "whole_run_cpu_per_event", "in_process", "ratio");
        JsonNode http = json.path("http_ingest");
        assertThat(http.path("overloaded_answers_429").asLong()).isEqualTo(3);
        assertThat(http.path("overloaded_answers_429_in_interval").asLong()).isEqualTo(1);
        assertThat(http.path("latency_ms").path("p99").asDouble()).isEqualTo(80.25);
        assertThat(http.path("cpu").path("seconds_by_role").path("aggregator").asDouble()).isEqualTo(20.5);
        assertThat(http.path("server_metrics_whole_run").path("fsync_mean_ms").asDouble()).isEqualTo(2.5);
        assertThat(http.path("sustained_events_per_second").asLong()).isEqualTo(30_769);
        JsonNode interval = http.path("aggregator_in_interval");
        assertThat(interval.fieldNames()).toIterable().containsExactly("at_start", "at_end", "seconds",
                "aggregated_events", "sustained_events_per_second");
        assertThat(interval.path("at_start").path("queued_events").asLong()).isEqualTo(4_000);
        assertThat(interval.path("at_end").path("aggregated_events").asLong()).isEqualTo(982_000);
        assertThat(http.path("cpu").path("server_us_per_aggregated_event").asDouble()).isEqualTo(58.1);
        assertThat(http.path("cpu").path("server_us_per_event").asDouble()).isEqualTo(58.1);
        assertThat(json.path("whole_run_cpu_per_event").path("us_by_role").path("decode").asDouble()).isEqualTo(12.3);
        assertThat(json.path("in_process").get(0).path("cpu_us_per_event").asDouble()).isEqualTo(4.8);
        assertThat(json.path("options").path("cpu_warmup_s").asDouble()).isEqualTo(5);
        assertThat(json.path("machine").path("max_heap_mb").asLong()).isEqualTo(1024);
        assertThat(json.path("ratio").path("http_ingest_over_parse_only").asDouble()).isEqualTo(0.075);
        assertThat(json.path("whole_run_cpu_per_event").path("server_us").asDouble()).isEqualTo(17.5);
        assertThat(json.path("ratio").fieldNames()).toIterable().containsExactly("http_ingest_over_parse_only",
                "sustained_ingest_over_parse_only", "decode_and_profile_ceiling", "http_ingest_over_ceiling",
                "sustained_ingest_over_ceiling", "decode_and_profile_cpu_over_server_cpu",
                "sustained_interval_over_parse_only", "sustained_interval", "by_cpu_interval", "sustained_whole_phase",
                "by_cpu_whole_phase", "target_over_ceiling", "meets_target");
        assertThat(json.path("ratio").path("by_cpu_interval").asDouble()).isEqualTo(0.33);
        // where the load generator ran, and its own CPU: fields added after the older ones
        assertThat(json.path("options").path("load_generator").asText()).isEqualTo("separate process");
        assertThat(http.path("cpu").path("load_generator").asText()).isEqualTo("separate process");
        assertThat(http.path("cpu").path("client_share_of_machine").asDouble()).isEqualTo(0.07);
        assertThat(http.path("cpu").path("load_process_seconds_by_role").path("jvm: JIT compilers").asDouble())
                .isEqualTo(0.4);
        assertThat(json.path("whole_run_cpu_per_event").path("load_process_us").asDouble()).isEqualTo(4.1);
        assertThat(json.path("ratio").path("meets_target").asBoolean()).isFalse();
    }
}
