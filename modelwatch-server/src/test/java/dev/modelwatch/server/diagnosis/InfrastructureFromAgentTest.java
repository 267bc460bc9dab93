package dev.modelwatch.server.diagnosis;

import dev.modelwatch.server.simulate.TrafficSimulator;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.TestServer;
import dev.modelwatch.server.agent.Agent;
import dev.modelwatch.server.agent.DcgmMetrics;
import dev.modelwatch.server.agent.GpuSource;
import dev.modelwatch.server.agent.HostMetrics;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.simulate.TrafficSimulator.Fault;
import dev.modelwatch.server.simulate.TrafficSimulator.Scenario;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The infrastructure cause reads what {@code modelwatch agent} sends: two agents (hosts {@code h1} and
 * {@code h2}) read this machine with the agent's own OSHI reader ({@link HostMetrics}) and their GPU
 * from a DCGM exporter page parsed by the agent's {@link DcgmMetrics}, and send through the HTTP API
 * on the server's manual clock; from the onset, GPU 0 of {@code h1} saturates (utilization 97%, memory
 * 79 of 80 GiB) while the model's latency triples ({@link TrafficSimulator}'s infrastructure fault,
 * its own host readings left out). The diagnosis must rank infrastructure first, naming that GPU, and
 * have examined the host CPU, host memory and process CPU series the agent sent.
 */
class InfrastructureFromAgentTest {
    private static final long MINUTE = 60_000L;
    private static final long START = 20_500 * 86_400_000L;
    private static final int WINDOWS = 24;
    private static final int ONSET = 12;

    @Test
    void aSaturatedGpuReportedByTheAgentExplainsTheLatency(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock(START);
        Scenario scenario = new Scenario("gpu", "sim-gpu", EnumSet.of(Fault.INFRASTRUCTURE), WINDOWS, ONSET, 300);
        TrafficSimulator sim = new TrafficSimulator(scenario, new SplittableRandom(7), START, MINUTE).withoutHostMetrics();
        SplittableRandom noise = new SplittableRandom(11);
        boolean[] saturated = {false};
        try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir), clock)) {
            TestServer.Response r = server.put("/api/v1/models/sim-gpu",
                    "{\"task\":\"binary_classification\",\"positive_class\":\"1\",\"window\":\"1m\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            URI uri = URI.create("http://127.0.0.1:" + server.server().port());
            HttpClient http = HttpClient.newHttpClient();
            List<Agent> agents = new ArrayList<>();
            for (String host : List.of("h1", "h2")) {
                GpuSource gpu = () -> DcgmMetrics.parse(dcgmPage(host.equals("h1") && saturated[0], noise));
                agents.add(new Agent(new Agent.Settings(uri, null, host, "sim-gpu", null,
                        List.of((int) ProcessHandle.current().pid()), Duration.ofSeconds(10), 100_000),
                        new HostMetrics(), gpu, http, clock));
            }
            for (int w = 0; w < WINDOWS; w++) {
                saturated[0] = w >= ONSET;
                for (long t = 0; t < MINUTE; t += 10_000) {
                    clock.set(START + w * MINUTE + t);
                    agents.forEach(Agent::collect);
                }
                clock.set(START + (w + 1) * MINUTE);
                TestServer.Response posted = server.post("/api/v1/events", "application/x-ndjson",
                        sim.window(w).getBytes(StandardCharsets.UTF_8));
                assertThat(posted.status()).as(posted.body()).isEqualTo(200);
                for (Agent a : agents) {
                    assertThat(a.send()).as("agent's readings accepted").isTrue();
                }
            }
            server.server().awaitAggregated(Duration.ofMinutes(1));
            TestServer.Response d = server.get("/api/v1/models/sim-gpu/diagnosis?from=" + START + "&to="
                    + (START + WINDOWS * MINUTE) + "&onset=" + (START + ONSET * MINUTE));
            assertThat(d.status()).as(d.body()).isEqualTo(200);
            JsonNode first = d.json().path("causes").path(0);
            assertThat(first.path("kind").asText()).as(d.body()).isEqualTo("infrastructure");
            JsonNode resources = first.path("evidence").path("resources");
            JsonNode top = resources.path(0);
            assertThat(top.path("host").asText()).as(resources.toString()).isEqualTo("h1");
            assertThat(top.path("device").asText()).isEqualTo("gpu=0");
            assertThat(top.path("metric").asText()).isIn("gpu_utilization", "gpu_memory_used_bytes");
            assertThat(top.path("after").asDouble()).isGreaterThan(90);
            List<String> examined = new ArrayList<>();
            resources.forEach(s -> examined.add(s.path("metric").asText() + "@" + s.path("host").asText()));
            assertThat(examined).contains("host_cpu_utilization@h1", "host_memory_used_bytes@h1",
                    "process_cpu_utilization@h2", "gpu_utilization@h2", "gpu_memory_used_bytes@h1", "traffic@null");
            assertThat(first.path("summary").asText()).contains("on h1 gpu=0");
        }
    }

    /** A DCGM exporter page of one 80 GiB GPU: busy (97%, 79 GiB used) or at its usual load (about 35%, 20 GiB). */
    private static String dcgmPage(boolean busy, SplittableRandom noise) {
        double util = busy ? 97 + noise.nextDouble() * 2 : 35 + noise.nextDouble() * 10;
        double used = (busy ? 79 : 20) * 1024 + noise.nextDouble() * 100;
        String labels = "{gpu=\"0\",UUID=\"GPU-5f1c2a9e-7b3d-4c1e-9a8f-2d6e0b4c7a11\",device=\"nvidia0\","
                + "modelName=\"NVIDIA H100 80GB HBM3\"}";
        return String.format(Locale.ROOT, """
                # TYPE DCGM_FI_DEV_GPU_UTIL gauge
                DCGM_FI_DEV_GPU_UTIL%1$s %2$.0f
                # TYPE DCGM_FI_DEV_FB_USED gauge
                DCGM_FI_DEV_FB_USED%1$s %3$.0f
                # TYPE DCGM_FI_DEV_FB_FREE gauge
                DCGM_FI_DEV_FB_FREE%1$s %4$.0f
                """, labels, util, used, 80 * 1024 - used);
    }
}
