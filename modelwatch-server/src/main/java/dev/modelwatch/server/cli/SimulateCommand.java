package dev.modelwatch.server.cli;

import dev.modelwatch.core.rules.Durations;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.simulate.Scenarios;
import dev.modelwatch.server.simulate.Scenarios.Named;
import dev.modelwatch.server.simulate.ServerSink;
import dev.modelwatch.server.simulate.Simulation;
import dev.modelwatch.server.simulate.TrafficSimulator;
import dev.modelwatch.server.time.Times;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code modelwatch simulate --scenario S (--server URL | --out FILE)}: a binary classifier's traffic
 * with a fault injected at a labelled onset, sent to a server or written as NDJSON (docs/simulate.md).
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Generates a model's traffic with an injected fault (drift, broken pipeline, bad version, "
                + "latency, errors, ...) and sends it to a server or writes it as NDJSON; prints each fault's "
                + "onset. Exit code 1 when the server refuses or cannot be reached, 2 for a bad flag.")
final class SimulateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--scenario", paramLabel = "S", description = "the scenario (--list shows them)")
    String scenario;
    @Option(names = "--list", description = "lists the scenarios and exits")
    boolean list;
    @Option(names = "--server", paramLabel = "URL", description = "send the events to this server's ingest API")
    String server;
    @Option(names = "--token-env", paramLabel = "VAR", defaultValue = "MODELWATCH_TOKEN",
            description = "environment variable holding an API token (ingest and admin scopes for the model's "
                    + "declaration), sent as a Bearer token when set (default MODELWATCH_TOKEN)")
    String tokenEnv;
    @Option(names = "--out", paramLabel = "FILE", description = "write the events to this NDJSON file instead")
    Path out;
    @Option(names = "--onsets", paramLabel = "FILE", description = "also write the fault onsets to this NDJSON file")
    Path onsetsFile;
    @Option(names = "--speed", paramLabel = "N", defaultValue = "0",
            description = "event time runs N times faster than the wall clock (60: an hour a minute); "
                    + "0 (default) sends as fast as the server takes it")
    double speed;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "random seed (default 1)")
    long seed;
    @Option(names = "--duration", paramLabel = "D", defaultValue = "40m",
            description = "event time simulated, the onset in its middle (default 40m)")
    String duration;
    @Option(names = "--window", paramLabel = "D", defaultValue = "1m",
            description = "the model's window, declared on the server (default 1m)")
    String window;
    @Option(names = "--per-window", paramLabel = "N", defaultValue = "1000",
            description = "predictions per window on average (default 1000)")
    int perWindow;
    @Option(names = "--model", paramLabel = "M", description = "the model's name (default sim-<scenario>)")
    String model;
    @Option(names = "--start", paramLabel = "T",
            description = "event time of the first window: RFC 3339, epoch milliseconds, or now (live, with --speed 1); "
                    + "default: the duration before now, so that the whole stream is in the past")
    String start;

    private final Clock clock;

    SimulateCommand() {
        this(Clock.systemUTC());
    }

    SimulateCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (list) {
            for (Named n : Scenarios.all()) {
                o.printf(Locale.ROOT, "%-20s %s%n", n.name(), n.description());
            }
            o.flush();
            return 0;
        }
        Named named = validate();
        long windowMs = Durations.parseMillis(window);
        long durationMs = Durations.parseMillis(duration);
        int windows = (int) (durationMs / windowMs);
        long startMs = start == null ? (clock.millis() - durationMs) / windowMs * windowMs
                : start.equals("now") ? clock.millis() / windowMs * windowMs : Times.parse("--start", start);
        String modelName = model != null ? model : "sim-" + named.name().replace('_', '-');
        int dayWindows = (int) Math.max(1, 86_400_000L / windowMs);
        TrafficSimulator sim = new TrafficSimulator(new TrafficSimulator.Scenario(named.name(), modelName,
                named.faults(), windows, windows / 2, perWindow, dayWindows), new SplittableRandom(seed), startMs, windowMs);
        Simulation.Sleeper sleeper = Thread::sleep;
        try {
            Simulation.Summary summary;
            o.printf("Scenario %s for model %s: %d windows of %s from %s, %s%n", named.name(), modelName, windows,
                    window, Times.format(startMs), named.description());
            o.flush();
            if (out != null) {
                try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                    summary = Simulation.run(named, sim, ndjson -> {
                        w.write(ndjson);
                        return Simulation.lines(ndjson);
                    }, speed, clock, sleeper, onset -> printOnset(o, onset));
                }
                o.printf("%d events written to %s%n", summary.events(), out);
            } else {
                String token = System.getenv(tokenEnv);
                ServerSink sink = new ServerSink(HttpClient.newHttpClient(), server, token, clock, sleeper,
                        new SplittableRandom(seed ^ 0x5DEECE66DL));
                sink.declareModel(modelName, Durations.format(windowMs));
                summary = Simulation.run(named, sim, sink, speed, clock, sleeper, onset -> printOnset(o, onset));
                o.printf("%d events accepted by %s (%d retries of an overloaded server)%n", summary.events(), server,
                        sink.retries());
            }
            if (summary.onsets().isEmpty()) {
                o.println("No fault: a clean stream.");
            }
            if (onsetsFile != null) {
                StringBuilder b = new StringBuilder();
                for (Simulation.FaultOnset onset : summary.onsets()) {
                    b.append(new String(Json.bytes(onset), StandardCharsets.UTF_8)).append('\n');
                }
                Files.writeString(onsetsFile, b.toString());
                o.printf("%d onset(s) written to %s%n", summary.onsets().size(), onsetsFile);
            }
            o.flush();
            return 0;
        } catch (IOException e) {
            err.println("modelwatch: " + (server != null ? server : String.valueOf(out)) + ": " + e.getMessage());
            err.flush();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The scenario, after checking every flag; a bad one is a parameter error (exit code 2). */
    private Named validate() {
        CommandLine cl = spec.commandLine();
        if (scenario == null) {
            throw new CommandLine.ParameterException(cl, "--scenario is required (one of: " + Scenarios.names() + ")");
        }
        Named named = Scenarios.byName(scenario).orElseThrow(() -> new CommandLine.ParameterException(cl,
                "--scenario: unknown scenario '" + scenario + "' (one of: " + Scenarios.names() + ")"));
        if ((server == null) == (out == null)) {
            throw new CommandLine.ParameterException(cl, "exactly one of --server and --out is required");
        }
        for (String[] d : new String[][] {{"--duration", duration}, {"--window", window}}) {
            if (!Durations.isValid(d[1]) || Durations.parseMillis(d[1]) <= 0) {
                throw new CommandLine.ParameterException(cl, d[0] + ": '" + d[1] + "' is not a positive duration "
                        + "(e.g. 40m, 2h, 1d)");
            }
        }
        long windowMs = Durations.parseMillis(window);
        if (windowMs < 1_000) {
            throw new CommandLine.ParameterException(cl, "--window: at least 1s, got " + window);
        }
        long windows = Durations.parseMillis(duration) / windowMs;
        if (windows < 2 || windows > 1_000_000) {
            throw new CommandLine.ParameterException(cl, "--duration: must hold 2 to 1,000,000 windows of " + window
                    + ", holds " + windows);
        }
        if (perWindow < 1) {
            throw new CommandLine.ParameterException(cl, "--per-window: at least 1, got " + perWindow);
        }
        if (!(speed >= 0) || Double.isInfinite(speed)) {
            throw new CommandLine.ParameterException(cl, "--speed: a number >= 0, got " + speed);
        }
        if (start != null && !start.equals("now")) {
            try {
                Times.parse("--start", start);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        return named;
    }

    private static void printOnset(PrintWriter o, Simulation.FaultOnset onset) {
        o.printf("onset: %s at %s (window %d)%s%n", onset.fault(), onset.onset(), onset.window(),
                onset.expectedCause() == null ? "" : ", expected cause: " + onset.expectedCause());
        o.flush();
    }
}
