package dev.modelwatch.server.cli;

import dev.modelwatch.server.agent.Agent;
import dev.modelwatch.server.agent.CommandRunner;
import dev.modelwatch.server.agent.GpuSource;
import dev.modelwatch.server.agent.HostMetrics;
import dev.modelwatch.server.agent.KernelXids;
import dev.modelwatch.server.agent.NvidiaSmi;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code modelwatch agent}: sends this host's CPU, memory, disk and process metrics and its NVIDIA GPUs'
 * to a ModelWatch server every interval.
 *
 * <pre>
 * modelwatch agent --server http://monitor:8080 --model digits --run r-42 --pid 4242 --interval 10s
 * </pre>
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Sends host, process and NVIDIA GPU metrics to a ModelWatch server every interval.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, description = "The server, e.g. http://127.0.0.1:8080.")
    URI server;

    @Option(names = "--token-env", description = "Environment variable holding an API token with the ingest scope.")
    String tokenEnv;

    @Option(names = "--interval", defaultValue = "10", description = "Seconds between readings (default ${DEFAULT-VALUE}).")
    long intervalSeconds;

    @Option(names = "--model", description = "The model label of every reading.")
    String model;

    @Option(names = "--run", description = "The training run label of every reading.")
    String run;

    @Option(names = "--pid", description = "A process to watch (CPU, resident memory); repeatable.")
    List<Integer> pids = new ArrayList<>();

    @Option(names = "--host", description = "The host label (default: this host's name).")
    String host;

    @Option(names = "--nvidia-smi", defaultValue = "nvidia-smi", description = "The nvidia-smi to run (default ${DEFAULT-VALUE}).")
    String nvidiaSmi;

    @Option(names = "--dcgm-url", description = "Read GPUs from this DCGM exporter's /metrics page instead of nvidia-smi.")
    URI dcgmUrl;

    @Option(names = "--dmesg", defaultValue = "dmesg", description = "The dmesg to read XID errors from the kernel "
            + "log with (default ${DEFAULT-VALUE}); 'none' reads no XIDs.")
    String dmesg;

    @Option(names = "--gpu-timeout", defaultValue = "5", description = "Seconds a GPU reading may take (default ${DEFAULT-VALUE}).")
    long gpuTimeoutSeconds;

    @Option(names = "--buffer", defaultValue = "100000", description = "Readings held while the server is away (default ${DEFAULT-VALUE}).")
    int buffer;

    @Option(names = "--once", description = "Read and send once, then exit (1 when the server could not take them).")
    boolean once;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (intervalSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval: must be at least 1 second");
        }
        String token = null;
        if (tokenEnv != null) {
            token = System.getenv(tokenEnv);
            if (token == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--token-env: " + tokenEnv + " is not set");
            }
        }
        String hostName = host != null ? host : java.net.InetAddress.getLocalHost().getHostName();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Duration gpuTimeout = Duration.ofSeconds(gpuTimeoutSeconds);
        GpuSource gpus = dcgmUrl != null ? GpuSource.dcgm(http, dcgmUrl, gpuTimeout)
                : new NvidiaSmi(nvidiaSmi, new CommandRunner(gpuTimeout));
        Agent agent = new Agent(new Agent.Settings(server, token, hostName, model, run, List.copyOf(pids),
                Duration.ofSeconds(intervalSeconds), buffer), new HostMetrics(), gpus,
                "none".equals(dmesg) ? null : new KernelXids(dmesg, new CommandRunner(gpuTimeout)), http, Clock.systemUTC());
        if (once) {
            agent.collect();
            boolean sent = agent.send();
            Agent.Counts c = agent.counts();
            spec.commandLine().getOut().println("readings: " + c.collected() + ", sent: " + c.sent()
                    + (c.gpuProblem() == null ? "" : ", GPUs: " + c.gpuProblem()));
            return sent ? 0 : 1;
        }
        agent.run();
        return 0;
    }
}
