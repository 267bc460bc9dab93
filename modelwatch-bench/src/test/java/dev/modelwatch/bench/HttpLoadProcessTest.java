package dev.modelwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The load generator as a process of its own: its arguments, its message lines, its result, how the
 * benchmark merges its figures with the server's, and that it ends when the benchmark does.
 */
class HttpLoadProcessTest {
    private static final HttpLoadProcess.Args ARGS = new HttpLoadProcess.Args(URI.create("http://127.0.0.1:8080"), 7,
            20_000, 1_000, 1_700_000_000_123L, 8, true, Duration.ofMillis(60_500), Duration.ofSeconds(20), false);

    @Test
    void argumentsSurviveTheCommandLine() {
        assertThat(HttpLoadProcess.Args.parse(ARGS.toArgs().toArray(String[]::new))).isEqualTo(ARGS);
        assertThatThrownBy(() -> HttpLoadProcess.Args.parse(new String[] {"--seed", "1"}))
                .hasMessageContaining("missing option --base");
        assertThatThrownBy(() -> HttpLoadProcess.Args.parse(new String[] {"--bogus", "1"}))
                .hasMessageContaining("unknown option --bogus");
    }

    @Test
    void messageLinesAreToldFromFreeText() {
        assertThat(HttpLoadProcess.parse("workload: 20000 events")).isNull();
        assertThat(HttpLoadProcess.parse(null)).isNull();
        assertThat(HttpLoadProcess.parse(HttpLoadProcess.line(HttpLoadProcess.INTERVAL_START, "")))
                .isEqualTo(new HttpLoadProcess.Message("interval-start", ""));
        assertThat(HttpLoadProcess.parse(HttpLoadProcess.line(HttpLoadProcess.RESULT, "{\"a\": 1, \"b\": 2}")))
                .isEqualTo(new HttpLoadProcess.Message("result", "{\"a\": 1, \"b\": 2}"));
    }

    @Test
    void theResultSurvivesItsLine() {
        HttpLoadProcess.LoadResult result = new HttpLoadProcess.LoadResult(childResult(), 31.5, 81.2);
        String line = HttpLoadProcess.line(HttpLoadProcess.RESULT, HttpLoadProcess.encodeResult(result));
        assertThat(line).doesNotContain("\n");
        assertThat(HttpLoadProcess.decodeResult(HttpLoadProcess.parse(line).payload())).isEqualTo(result);
    }

    @Test
    void theServerIsChargedItsWholeJvmAndTheChildIsNoForeignLoad() {
        Map<String, Double> serverRoles = Map.of("server: aggregator (profiles, id lookups)", 12.0);
        HttpIngestLoad.Result r = LoadProcessDriver.combine(childResult(), serverRoles, 20.01, 30.0, 9.5, 40, 1.2, 3.0);
        // requests, latencies and counts: the child's
        assertThat(r.events()).isEqualTo(600_000);
        assertThat(r.p99Ms()).isEqualTo(80);
        assertThat(r.overloadedInInterval()).isEqualTo(2);
        assertThat(r.totalAcceptedEvents()).isEqualTo(2_000_000);
        // CPU: the server's JVM over the parent's snapshots; the client's is the child's process
        assertThat(r.cpuIntervalSeconds()).isEqualTo(20.01);
        assertThat(r.processCpuSeconds()).isEqualTo(30.0);
        assertThat(r.serverCpuSeconds()).isEqualTo(30.0);
        assertThat(r.clientCpuSeconds()).isEqualTo(8.0);
        assertThat(r.otherProcessesCpuSeconds()).isEqualTo(1.5);
        assertThat(r.gcCount()).isEqualTo(40);
        assertThat(r.cpuSecondsByRole()).isEqualTo(serverRoles);
        assertThat(r.loadProcessCpuSecondsByRole()).containsEntry("jvm: JIT compilers", 0.9);
        assertThat(HttpPhaseReport.clientShareOfProcess(r)).isEqualTo(8.0 / 38.0);
        // the child's own view of the machine counted the server as another process: never below zero
        assertThat(LoadProcessDriver.combine(childResult(), serverRoles, 20, 30, 3, 0, 0, 0).otherProcessesCpuSeconds())
                .isZero();
        // in process, the server is the process less the client's threads, as before
        assertThat(childResult().serverCpuSeconds()).isEqualTo(8.0 - 6.5);
        assertThat(HttpPhaseReport.clientShareOfProcess(childResult())).isEqualTo(6.5 / 8.0);
    }

    @Test
    void theChildRunsThisJvmsJavaOnThisClassPath() {
        List<String> command = LoadProcessDriver.command(Path.of("/opt/jdk"), "/x/bench-all.jar", ARGS);
        assertThat(command.subList(0, 7)).containsExactly("/opt/jdk/bin/java", "-Xms1g", "-Xmx1g",
                "-XX:+UseParallelGC", "-cp", "/x/bench-all.jar", "dev.modelwatch.bench.HttpLoadProcess");
        assertThat(command.subList(7, command.size())).isEqualTo(ARGS.toArgs());
    }

    @Test
    void aChildThatFailsIsReportedWithItsExitStatus() throws Exception {
        // no events: the workload cannot be generated, the child exits 1 before its first message
        HttpLoadProcess.Args bad = new HttpLoadProcess.Args(URI.create("http://127.0.0.1:1"), 1, 0, 1_000, 0, 1, false,
                Duration.ZERO, Duration.ofSeconds(1), true);
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        try (LoadProcessDriver child = LoadProcessDriver.start(bad, new PrintStream(echoed, true, StandardCharsets.UTF_8))) {
            assertThatThrownBy(() -> child.await(HttpLoadProcess.LOAD_START, Duration.ofMinutes(1)))
                    .hasMessageContaining("ended before 'load-start' (exit status 1");
        }
    }

    @Test
    void theChildStopsWhenTheBenchmarkLetsGoOfItsInput() throws Exception {
        // a load against a port nobody listens on, for minutes; the child must not outlive its parent
        HttpLoadProcess.Args args = new HttpLoadProcess.Args(URI.create("http://127.0.0.1:1"), 1, 1_000, 1_000, 0, 1,
                false, Duration.ofMinutes(5), Duration.ofMinutes(5), true);
        Process p = new ProcessBuilder(LoadProcessDriver.command(Path.of(System.getProperty("java.home")),
                System.getProperty("java.class.path"), args)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && HttpLoadProcess.parse(line) == null) {
                // free text before the first message
            }
            assertThat(HttpLoadProcess.parse(line)).isEqualTo(new HttpLoadProcess.Message("load-start", ""));
            p.getOutputStream().close();
            assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).isEqualTo(3);
        } finally {
            p.destroyForcibly();
        }
    }

    /** A child's figures: its own process 8 s of CPU in the interval, 6.5 s of it the client's threads. */
    private static HttpIngestLoad.Result childResult() {
        return new HttpIngestLoad.Result(8, 81.0, 600_000, 600, 20, 30_000, 18.4e6, 12.5, 80, 140, 2_000_000, 2_000,
                Map.of("client: load threads", 6.5, "jvm: JIT compilers", 0.9), 20.0,
                8.0, 6.5, 31.0, 12, 0.3, 1.1, 20.5, 5, 2, 1, false,
                Map.of());
    }
}
