package dev.modelwatch.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server in a JVM of its own (this test run's class path), with a heap limit, a configuration
 * file and a data directory: what a test needs to run out of memory for real, or to kill the
 * process hard ({@code kill -9}) and start it again on the same data.
 */
final class ServerProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;
    final String base;

    private ServerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = "http://127.0.0.1:" + port;
    }

    /**
     * Starts {@code serve} and waits until it answers /readyz (after replaying its log).
     *
     * @param maxHeap a JVM heap limit such as {@code 256m}
     */
    static ServerProcess start(Path dataDir, String configYaml, String maxHeap, Path logFile) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dataDir.resolveSibling(dataDir.getFileName() + "-modelwatch.yml");
        Files.writeString(config, configYaml);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:+UseParallelGC",
                "-XX:+ExitOnOutOfMemoryError"));
        String dumps = System.getProperty("server.heapdump.dir");
        if (dumps != null) {
            // -Dserver.heapdump.dir=...: a heap dump there when the server runs out of memory
            command.addAll(List.of("-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + dumps));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.modelwatch.server.cli.Main", "serve",
                "--config", config.toString(), "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
        ServerProcess server = new ServerProcess(pb.start(), logFile, port);
        server.awaitReady(Duration.ofSeconds(90));
        return server;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + " before it was ready:\n"
                        + tail());
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server was not ready within " + timeout + ":\n" + tail());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The end of the server's output, for a failure message. */
    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw gone("GET " + path, e);
        }
    }

    /** A refused connection, said as what it is when the server's process has ended (with its last lines). */
    private IOException gone(String request, java.net.ConnectException e) throws IOException {
        try {
            if (!process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                return e;
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return e;
        }
        throw new AssertionError(request + ": the server exited with " + process.exitValue() + ":\n" + tail(), e);
    }

    HttpResponse<String> postNdjson(String body) throws IOException, InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events")).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw gone("POST /api/v1/events", e);
        }
    }

    /**
     * Posts NDJSON as a client that backs off does: on a 429 (the aggregator is behind) it waits and
     * sends again. Returns how many events were accepted; any other answer than 200 is a failure.
     */
    long postBackingOff(String ndjson) throws Exception {
        HttpResponse<String> r = postNdjson(ndjson);
        while (r.statusCode() == 429) {
            Thread.sleep(200);
            r = postNdjson(ndjson);
        }
        if (r.statusCode() != 200) {
            throw new AssertionError("ingest answered " + r.statusCode() + ": " + r.body());
        }
        return TestServer.JSON.readTree(r.body()).path("accepted").asLong();
    }

    /** One NDJSON line: a prediction of {@code model} with 20 numerical features, a score and the segments. */
    static String prediction(String model, String id, long timestampMs, int seed, String segmentsJson) {
        StringBuilder sb = new StringBuilder(600).append("{\"type\":\"prediction\",\"model\":\"").append(model)
                .append("\",\"id\":\"").append(id).append("\",\"timestamp\":").append(timestampMs).append(",\"features\":{");
        for (int f = 0; f < 20; f++) {
            sb.append(f == 0 ? "" : ",").append("\"f").append(f).append("\":").append((seed * 7 + f) % 101 / 10.0);
        }
        return sb.append("},\"prediction\":1,\"score\":0.7,\"segments\":").append(segmentsJson).append("}\n").toString();
    }

    /** A GET answer as JSON, which must be a 200. */
    JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        // 503 with Retry-After: the aggregation runtime still applies a backlog (a backfill under a
        // small heap commits for memory many times); the answer comes once it has caught up
        for (int tries = 0; r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent() && tries < 60;
                tries++) {
            r = get(path);
        }
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return TestServer.JSON.readTree(r.body());
    }

    /** The value of one sample of /metrics (0 when absent). */
    double metric(String sample) throws Exception {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1));
            }
        }
        return 0;
    }

    /** Kills the process as {@code kill -9} would: nothing is flushed or committed. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
