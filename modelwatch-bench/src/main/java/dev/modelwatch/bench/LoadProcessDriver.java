package dev.modelwatch.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's side of {@link HttpLoadProcess}: starts it with this JVM's java binary and class
 * path, hands its message lines to the caller in order ({@link #await}), echoes its free text, and
 * kills it when closed, on a failure, or when this JVM shuts down (a shutdown hook). Should this JVM
 * die without running its hooks, the child sees its standard input end and exits by itself.
 *
 * <pre>{@code
 * try (LoadProcessDriver child = LoadProcessDriver.start(args, System.out)) {
 *     child.await(HttpLoadProcess.INTERVAL_START, Duration.ofMinutes(2));
 *     ...
 * }
 * }</pre>
 */
final class LoadProcessDriver implements AutoCloseable {
    /**
     * The load process's JVM options: a fixed heap that holds the bodies and the clients' copies many
     * times over, and the collector the server runs with.
     */
    static final List<String> JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseParallelGC");
    /** Put on the queue when the child's output ends. */
    private static final String END = "\u0000end";

    private final Process process;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Thread shutdownHook;

    private LoadProcessDriver(Process process, PrintStream echo) {
        this.process = process;
        this.shutdownHook = new Thread(process::destroyForcibly, "load-process-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (HttpLoadProcess.parse(line) != null) {
                        messages.add(line);
                    } else {
                        echo.println("  [load process] " + line);
                    }
                }
            } catch (IOException e) {
                // the child's output ended
            } finally {
                messages.add(END);
            }
        }, "load-process-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** The child's command line: this JVM's java binary and class path, {@link #JVM_OPTIONS}, the arguments. */
    static List<String> command(Path javaHome, String classPath, HttpLoadProcess.Args args) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(classPath);
        command.add(HttpLoadProcess.class.getName());
        command.addAll(args.toArgs());
        return command;
    }

    /** Starts the load process; its standard error goes to this JVM's, its free text to {@code echo}. */
    static LoadProcessDriver start(HttpLoadProcess.Args args, PrintStream echo) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(Path.of(System.getProperty("java.home")),
                System.getProperty("java.class.path"), args));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        // standard input stays a pipe: the child's lifeline
        return new LoadProcessDriver(pb.start(), echo);
    }

    /**
     * The next message, which must be of {@code kind}, within {@code timeout}; fails (the caller
     * closes this driver) if the child ended first, sent another kind, or took longer.
     */
    HttpLoadProcess.Message await(String kind, Duration timeout) throws InterruptedException {
        String line = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new IllegalStateException("the load process sent no '" + kind + "' within " + timeout.toSeconds()
                    + " s");
        }
        if (line.equals(END)) {
            boolean ended = process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("the load process ended before '" + kind + "'"
                    + (ended ? " (exit status " + process.exitValue() + ", its error output above)" : ""));
        }
        HttpLoadProcess.Message m = HttpLoadProcess.parse(line);
        if (!m.kind().equals(kind)) {
            throw new IllegalStateException("the load process sent '" + m.kind() + "' where '" + kind
                    + "' was expected");
        }
        return m;
    }

    /** Waits for the child to exit; fails unless it exits 0 within {@code timeout}. */
    void awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the load process did not exit within " + timeout.toSeconds() + " s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the load process exited with status " + process.exitValue());
        }
    }

    /** Kills the child if it still runs (it has nothing to save). */
    @Override
    public void close() throws InterruptedException {
        try {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // this JVM is shutting down: the hook runs anyway
            }
        }
    }

    /**
     * The HTTP phase's figures with the load generator apart: the requests, latencies and counts the
     * child measured, the CPU of the server's JVM over the parent's snapshots of the same interval, the
     * child's process CPU as the client's, and the other processes less the child.
     *
     * @param child           the child's figures (its CPU fields are the child's own)
     * @param serverRoles     the server JVM's CPU in the interval by role
     * @param otherCpuSeconds the machine's busy CPU in the interval less the server JVM's
     */
    static HttpIngestLoad.Result combine(HttpIngestLoad.Result child, Map<String, Double> serverRoles,
                                         double intervalSeconds, double serverProcessCpuSeconds,
                                         double otherCpuSeconds, long gcCount, double gcSeconds, double jitSeconds) {
        double childCpu = child.processCpuSeconds();
        double other = Double.isNaN(otherCpuSeconds) ? Double.NaN : Math.max(0, otherCpuSeconds - childCpu);
        return new HttpIngestLoad.Result(child.clients(), child.loadSeconds(), child.events(), child.requests(),
                child.seconds(), child.eventsPerSecond(), child.bytesPerSecond(), child.p50Ms(), child.p99Ms(),
                child.maxMs(), child.totalAcceptedEvents(), child.totalRequests(), serverRoles, intervalSeconds,
                serverProcessCpuSeconds, childCpu, other, gcCount, gcSeconds, jitSeconds,
                child.loadThreadsCpuSeconds(), child.overloadedAnswers(), child.overloadedInInterval(),
                child.connectionErrors(), true, child.cpuSecondsByRole());
    }
}
