package dev.modelwatch.server.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * {@code modelwatch agent}: every interval, reads the host (CPU, memory, disks, watched processes) and the
 * GPUs, and sends them to the server as {@code metric} events tagged with {@code host}, {@code gpu} and the
 * configured model and run. While the server is away the readings wait in a bounded buffer (the oldest are
 * dropped, and counted, when it is full) and sending is retried; the counts go out as metrics too.
 *
 * <pre>{@code
 * Agent agent = new Agent(settings, new HostMetrics(), gpus, HttpClient.newHttpClient(), Clock.systemUTC());
 * agent.collect(); agent.send();   // one round; run() repeats them every settings.interval()
 * }</pre>
 */
public final class Agent {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final int BATCH = 1_000;

    /**
     * @param server   the server's base URL
     * @param token    an API token with the ingest scope, or null
     * @param host     the host label
     * @param model    the model label, or null
     * @param run      the training run label, or null
     * @param pids     processes to watch
     * @param capacity readings held while the server is away
     */
    public record Settings(URI server, String token, String host, String model, String run, List<Integer> pids,
                           Duration interval, int capacity) {
        public Settings {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity: must be at least 1, got " + capacity);
            }
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval: must be positive, got " + interval);
            }
        }
    }

    /** A metric event as the API takes it ({@code model} left out when there is none). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MetricEvent(String type, String name, double value, String model, Map<String, String> labels, long timestamp) {
    }

    private record Buffered(long sequence, MetricEvent event) {
    }

    /** What the agent did so far. */
    public record Counts(long collected, long sent, long dropped, long failedSends, String gpuProblem) {
    }

    private final Settings settings;
    private final HostMetrics host;
    private final GpuSource gpus;
    private final HttpClient http;
    private final Clock clock;
    /** Readings waiting, oldest first, each with its sequence number. */
    private final Deque<Buffered> buffer = new ArrayDeque<>();
    private long nextSequence;
    private long collected;
    private long sent;
    private long dropped;
    private long failedSends;
    private String gpuProblem;
    private final KernelXids xids;
    private String xidProblem;

    public Agent(Settings settings, HostMetrics host, GpuSource gpus, HttpClient http, Clock clock) {
        this(settings, host, gpus, null, http, clock);
    }

    /** An agent that also reads XID errors from the kernel log ({@code xids}, null for none). */
    public Agent(Settings settings, HostMetrics host, GpuSource gpus, KernelXids xids, HttpClient http, Clock clock) {
        this.settings = settings;
        this.host = host;
        this.gpus = gpus;
        this.xids = xids;
        this.http = http;
        this.clock = clock;
    }

    /** Reads the host and the GPUs once into the buffer. */
    public synchronized void collect() {
        long now = clock.millis();
        if (host != null) {
            for (HostMetrics.Reading r : host.read(settings.pids())) {
                add(r.name(), r.value(), r.labels(), now);
            }
        }
        if (gpus != null) {
            try {
                for (GpuSample g : gpus.read()) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    labels.put("gpu", Integer.toString(g.index()));
                    if (g.uuid() != null) {
                        labels.put("uuid", g.uuid());
                    }
                    g.values().forEach((name, v) -> add(name, v, labels, now));
                }
                if (gpuProblem != null) {
                    LOG.info("GPUs readable again");
                }
                gpuProblem = null;
            } catch (GpuException e) {
                if (!e.getMessage().equals(gpuProblem)) {
                    LOG.warn("{}", e.getMessage());
                }
                gpuProblem = e.getMessage();
            }
        }
        if (xids != null) {
            try {
                for (KernelXids.Xid x : xids.readNew()) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    labels.put("pci_bus_id", x.pciBusId());
                    if (x.uuid() != null) {
                        labels.put("uuid", x.uuid());
                    }
                    labels.put("detail", x.detail().length() <= 200 ? x.detail() : x.detail().substring(0, 200));
                    add("gpu_xid", x.code(), labels, x.atMs());
                }
                if (xidProblem != null) {
                    LOG.info("the kernel log is readable again for XID errors");
                }
                xidProblem = null;
            } catch (GpuException e) {
                if (!e.getMessage().equals(xidProblem)) {
                    LOG.warn("{}", e.getMessage());
                }
                xidProblem = e.getMessage();
            }
            add("modelwatch_agent_xid_readable", xidProblem == null ? 1 : 0, Map.of(), now);
        }
        add("modelwatch_agent_dropped_readings", dropped, Map.of(), now);
        add("modelwatch_agent_gpu_readable", gpus != null && gpuProblem == null ? 1 : 0, Map.of(), now);
    }

    private void add(String name, double value, Map<String, String> labels, long now) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("host", settings.host());
        if (settings.run() != null) {
            all.put("run", settings.run());
        }
        all.putAll(labels);
        if (buffer.size() >= settings.capacity()) {
            buffer.removeFirst();
            dropped++;
        }
        buffer.addLast(new Buffered(nextSequence++, new MetricEvent("metric", name, value, settings.model(), all, now)));
        collected++;
    }

    /** Sends what the buffer holds; false when the server could not take it (it stays buffered). */
    public boolean send() {
        while (true) {
            List<MetricEvent> batch = new ArrayList<>();
            long last;
            synchronized (this) {
                if (buffer.isEmpty()) {
                    return true;
                }
                for (Buffered b : buffer) {
                    if (batch.size() == BATCH) {
                        break;
                    }
                    batch.add(b.event());
                }
                last = buffer.peekFirst().sequence() + batch.size() - 1;
            }
            try {
                HttpRequest.Builder req = HttpRequest.newBuilder(settings.server().resolve("/api/v1/events"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-ndjson").header("Content-Encoding", "gzip")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(gzipNdjson(batch)));
                if (settings.token() != null) {
                    req.header("Authorization", "Bearer " + settings.token());
                }
                HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    synchronized (this) {
                        failedSends++;
                    }
                    LOG.warn("server answered HTTP {} to {} readings: {}", r.statusCode(), batch.size(), r.body());
                    if (r.statusCode() == 400 || r.statusCode() == 413) {
                        removeThrough(last, true);
                        continue;
                    }
                    return false;
                }
            } catch (IOException e) {
                synchronized (this) {
                    failedSends++;
                }
                LOG.debug("server not reachable: {}", e.getMessage());
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            synchronized (this) {
                removeThrough(last, false);
                sent += batch.size();
            }
        }
    }

    /** Removes the readings up to sequence {@code last} (some may have been dropped meanwhile as the oldest). */
    private synchronized void removeThrough(long last, boolean countDropped) {
        while (!buffer.isEmpty() && buffer.peekFirst().sequence() <= last) {
            buffer.removeFirst();
            if (countDropped) {
                dropped++;
            }
        }
    }

    /** Collects and sends every interval until interrupted; the thread is the caller's. */
    public void run() {
        while (!Thread.currentThread().isInterrupted()) {
            collect();
            send();
            try {
                Thread.sleep(settings.interval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public synchronized Counts counts() {
        return new Counts(collected, sent, dropped, failedSends, gpuProblem);
    }

    /** Readings waiting to be sent. */
    public synchronized int buffered() {
        return buffer.size();
    }

    private static byte[] gzipNdjson(List<MetricEvent> batch) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            for (MetricEvent e : batch) {
                gz.write(Json.bytes(e));
                gz.write('\n');
            }
        }
        return bytes.toByteArray();
    }
}
