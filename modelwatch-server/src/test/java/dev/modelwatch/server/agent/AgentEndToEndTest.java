package dev.modelwatch.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.server.ModelWatchServer;
import dev.modelwatch.server.RecordingExit;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.store.Store;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a started server that goes away and comes back on the same port. */
class AgentEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void readingsReachTheServerAndSurviveItsRestartWithinTheBuffer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ServerConfig config = ServerConfig.defaults().withDataDir(dir.resolve("data")).withPort(port)
                .withFlushInterval(Duration.ofMillis(300));
        Path csv = dir.resolve("gpus.csv");
        Files.writeString(csv, GpuReadersTest.fixture("nvidia-smi-8gpu.csv"));
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\ncat " + csv + "\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        int capacity = 300;
        Agent agent = new Agent(new Agent.Settings(URI.create("http://127.0.0.1:" + port), null, "test-host", "digits", "r1",
                List.of((int) ProcessHandle.current().pid()), Duration.ofSeconds(1), capacity), new HostMetrics(),
                new NvidiaSmi(smi.toString(), new CommandRunner(Duration.ofSeconds(10))), HttpClient.newHttpClient(),
                Clock.systemUTC());

        ModelWatchServer first = ModelWatchServer.start(config, Clock.systemUTC(), new RecordingExit(), s -> s);
        try {
            agent.collect();
            assertThat(agent.send()).isTrue();
            assertThat(agent.counts().sent()).isEqualTo(agent.counts().collected()).isGreaterThan(8 * 7);
        } finally {
            first.close();
        }

        // the server is away: readings wait, the oldest are dropped (and counted) once the buffer is full
        agent.collect();
        assertThat(agent.send()).isFalse();
        assertThat(agent.counts().failedSends()).isPositive();
        while (agent.counts().dropped() == 0) {
            agent.collect();
        }
        assertThat(agent.buffered()).isEqualTo(capacity);
        assertThat(agent.counts().gpuProblem()).isNull();

        AtomicReference<Store> store = new AtomicReference<>();
        ModelWatchServer second = ModelWatchServer.start(config, Clock.systemUTC(), new RecordingExit(), s -> {
            store.set(s);
            return s;
        });
        try {
            agent.collect();
            assertThat(agent.send()).isTrue();
            assertThat(agent.buffered()).isZero();
            second.awaitAggregated(Duration.ofSeconds(30));
            List<MetricEvent> util = store.get().metricEvents("gpu_utilization", 0, Long.MAX_VALUE);
            Map<String, Long> byGpu = util.stream().collect(Collectors.groupingBy(e -> e.labels().get("gpu"), Collectors.counting()));
            assertThat(byGpu).containsOnlyKeys("0", "1", "2", "3", "4", "5", "6", "7");
            assertThat(util).allSatisfy(e -> {
                assertThat(e.labels()).containsEntry("host", "test-host").containsEntry("run", "r1");
                assertThat(e.model()).isEqualTo("digits");
            });
            // the last round (sent after the restart) carries the drop count; it is stored at the next commit
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            double droppedReported = 0;
            while (droppedReported == 0 && System.nanoTime() < deadline) {
                droppedReported = store.get().metricEvents("modelwatch_agent_dropped_readings", 0, Long.MAX_VALUE).stream()
                        .mapToDouble(MetricEvent::value).max().orElse(0);
                Thread.onSpinWait();
            }
            assertThat(droppedReported).isPositive().isLessThanOrEqualTo(agent.counts().dropped());
            assertThat(store.get().metricEvents("host_memory_total_bytes", 0, Long.MAX_VALUE)).isNotEmpty();
            assertThat(store.get().metricEvents("process_resident_memory_bytes", 0, Long.MAX_VALUE)).isNotEmpty();
        } finally {
            second.close();
        }
    }

    @Test
    void agentCommandSendsOnceAndSaysWhenThereIsNoGpu() throws Exception {
        try (dev.modelwatch.server.TestServer server = dev.modelwatch.server.TestServer.start(dir.resolve("data"))) {
            java.io.StringWriter out = new java.io.StringWriter();
            picocli.CommandLine cli = dev.modelwatch.server.cli.Main.commandLine();
            cli.setOut(new java.io.PrintWriter(out));
            int code = cli.execute("agent", "--server", "http://127.0.0.1:" + server.server().port(), "--once",
                    "--nvidia-smi", dir.resolve("absent-nvidia-smi").toString(), "--host", "h1");
            assertThat(code).isZero();
            assertThat(out.toString()).contains("GPUs: no NVIDIA GPU: ").containsPattern("readings: (\\d+), sent: \\1");
        }
    }
}
