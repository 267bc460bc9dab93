package dev.modelwatch.server.demo;

import dev.modelwatch.server.agent.HostMetrics;
import dev.modelwatch.server.agent.ResourceMetrics;
import dev.modelwatch.server.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The demo's model in production: tumour descriptions from the held-out rows of the data set scored by
 * the real network ({@link TumorModel}), sent as predictions through the public HTTP API with their
 * latencies, their labels a few demo minutes later, the host's metrics, the network's real training
 * curves, and the faults of {@link FaultScript} injected on schedule. Everything is stamped with the
 * {@link DemoClock}; the work runs on the injected timer, five times a wall-clock second.
 */
public final class DemoTraffic implements AutoCloseable {
    /** The demo model's name. */
    public static final String MODEL = "tumor";
    /** The simulated host serving the model, whose CPU saturates during {@link FaultScript.Kind#LATENCY_SPIKE}. */
    static final String SERVING_HOST = "serving-1";
    /** Predictions per demo minute. */
    static final int PER_MINUTE = 30;
    private static final List<String> CLINICS = List.of("north", "south", "east", "west");
    private static final long TICK_MS = 200;
    private static final Duration TRAINING_STEP = Duration.ofSeconds(3);
    private static final int TEXTURE = DemoData.FEATURES.indexOf("texture");
    private static final int CONCAVITY = DemoData.FEATURES.indexOf("concavity");
    private static final int RADIUS = DemoData.FEATURES.indexOf("radius");
    private static final int PERIMETER = DemoData.FEATURES.indexOf("perimeter");
    private static final int AREA = DemoData.FEATURES.indexOf("area");

    private record Due(long atMs, long order, Object event) {
    }

    /** The server's answer to {@code POST /api/v1/events}. */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    record IngestAnswer(long accepted, long rejected, List<IngestError> errors) {
    }

    /** One rejected event of a batch. */
    record IngestError(int index, String error) {
    }

    private final String base;
    private final DemoClock clock;
    private final SplittableRandom random;
    private final Consumer<String> out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final TumorModel v1;
    private final TumorModel v2;
    private final List<DemoData.Row> pool;
    private final float[] means;
    private final HostMetrics host = new HostMetrics();
    private final long pid = ProcessHandle.current().pid();
    private final PriorityQueue<Due> due = new PriorityQueue<>((a, b) -> a.atMs() != b.atMs()
            ? Long.compare(a.atMs(), b.atMs()) : Long.compare(a.order(), b.order()));
    private final Map<String, Long> counts = new HashMap<>();
    private long order;
    private long seq;
    private long lastMs;
    private double carry;
    private long ticks;
    private FaultScript.Fault current;
    private long currentCycle = -1;
    private ScheduledFuture<?> task;

    private DemoTraffic(String base, DemoData data, DemoClock clock, SplittableRandom random, LongSupplier nanoTime,
                        Consumer<String> out) {
        this.base = base;
        this.clock = clock;
        this.random = random;
        this.out = out;
        this.pool = new ArrayList<>(data.split("val"));
        this.pool.addAll(data.split("test"));
        this.means = data.trainingMeans();
        this.v1 = TumorModel.load("v1", nanoTime);
        this.v2 = TumorModel.load("v2", nanoTime);
        this.lastMs = clock.millis();
    }

    /**
     * Uploads the held-out rows, scored by v1, as the model's reference (its accuracy there is what to
     * expect in production, where its accuracy on its own training rows would be optimistic), queues the real training run of the model, and
     * starts sending traffic to the server at {@code baseUrl} on {@code timer}.
     */
    public static DemoTraffic start(String baseUrl, DemoClock clock, SplittableRandom random, LongSupplier nanoTime,
                                    ScheduledExecutorService timer, Consumer<String> out) {
        DemoData data = DemoData.load();
        DemoTraffic d = new DemoTraffic(baseUrl, data, clock, random, nanoTime, out);
        d.uploadReference(d.pool);
        DemoData.Curves curves = DemoData.curves("training-v1.json");
        d.queueTraining(curves, curves.run(), "run_finished", clock.originMs() - curves.steps().size() * TRAINING_STEP.toMillis()
                - Duration.ofMinutes(5).toMillis());
        d.task = timer.scheduleAtFixedRate(d::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
        return d;
    }

    /** How many events the server accepted ({@code accepted}) and rejected ({@code rejected}) so far. */
    public synchronized Map<String, Long> counts() {
        return Map.copyOf(counts);
    }

    private void uploadReference(List<DemoData.Row> heldOut) {
        List<DemoEvents.ReferenceRow> rows = new ArrayList<>(heldOut.size());
        for (DemoData.Row r : heldOut) {
            double score = v1.score(r.features()).score();
            rows.add(new DemoEvents.ReferenceRow(features(r.features(), -1), score >= 0.5 ? 1 : 0, r.label()));
        }
        send("PUT", "/api/v1/models/" + MODEL + "/reference", Json.bytes(rows), "application/json");
    }

    /** Queues a run's steps and validations, its last event carrying {@code end} (run_finished or run_failed). */
    private void queueTraining(DemoData.Curves curves, String run, String end, long startMs) {
        for (DemoData.Step s : curves.steps()) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss", s.loss());
            m.put("grad_norm", s.gradNorm());
            m.put("grad_norm_fc1", s.gradNormFc1());
            m.put("grad_norm_fc2", s.gradNormFc2());
            m.put("grad_norm_fc3", s.gradNormFc3());
            m.put("lr", s.lr());
            long at = startMs + s.step() * TRAINING_STEP.toMillis();
            queue(at, new DemoEvents.Training(MODEL, run, s.step(), s.epoch(), at, m));
        }
        List<DemoData.Validation> validations = curves.validation();
        for (int i = 0; i < validations.size(); i++) {
            DemoData.Validation v = validations.get(i);
            long at = startMs + v.step() * TRAINING_STEP.toMillis() + 1;
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("val_loss", v.valLoss());
            m.put("val_accuracy", v.valAccuracy());
            if (i == validations.size() - 1) {
                m.put(end, 1.0);
            }
            queue(at, new DemoEvents.Training(MODEL, run, v.step(), v.epoch(), at, m));
        }
    }

    private void queue(long atMs, Object event) {
        due.add(new Due(atMs, order++, event));
    }

    private synchronized void tick() {
        try {
            long now = clock.millis();
            announce(now);
            List<Object> batch = new ArrayList<>();
            double expected = (now - lastMs) / 60_000.0 * PER_MINUTE + carry;
            int n = (int) Math.floor(expected);
            carry = expected - n;
            for (int i = 1; i <= n; i++) {
                batch.add(predict(lastMs + (now - lastMs) * i / n));
            }
            lastMs = now;
            while (!due.isEmpty() && due.peek().atMs() <= now) {
                batch.add(due.poll().event());
            }
            if (ticks++ % (1000 / TICK_MS) == 0) {
                batch.addAll(metrics(now));
            }
            if (!batch.isEmpty()) {
                StringBuilder body = new StringBuilder();
                for (Object e : batch) {
                    body.append(new String(Json.bytes(e), StandardCharsets.UTF_8)).append('\n');
                }
                String answer = send("POST", "/api/v1/events", body.toString().getBytes(StandardCharsets.UTF_8),
                        "application/x-ndjson");
                if (answer != null) {
                    IngestAnswer a = Json.read(answer.getBytes(StandardCharsets.UTF_8), IngestAnswer.class,
                            "ingest answer");
                    counts.merge("accepted", a.accepted(), Long::sum);
                    counts.merge("rejected", a.rejected(), Long::sum);
                    if (a.rejected() > 0 && a.errors() != null && !a.errors().isEmpty()) {
                        out.accept("demo traffic: " + a.rejected() + " event(s) rejected, the first: "
                                + a.errors().get(0).error());
                    }
                }
            }
        } catch (RuntimeException e) {
            out.accept("demo traffic: " + e);
        }
    }

    /** Prints the start and end of each fault, and queues the diverging run when its turn comes. */
    private void announce(long now) {
        Duration elapsed = Duration.ofMillis(now - clock.originMs());
        FaultScript.Fault f = FaultScript.at(elapsed);
        long cycle = elapsed.toMillis() / FaultScript.CYCLE.toMillis();
        if (f == current && cycle == currentCycle) {
            return;
        }
        if (current != null) {
            out.accept(String.format(Locale.ROOT, "[demo %s] recovered from %s", clockText(elapsed), current.kind()));
        }
        if (f != null) {
            out.accept(String.format(Locale.ROOT, "[demo %s] injecting %s (cause: %s). Look at: %s",
                    clockText(elapsed), f.kind(), f.kind().causeKind(), f.lookAt()));
            if (f.kind() == FaultScript.Kind.DIVERGING_TRAINING) {
                DemoData.Curves diverge = DemoData.curves("training-diverge.json");
                String run = MODEL + "-retrain-" + (cycle + 1);
                queueTraining(diverge, run, "run_failed", now);  // stopped by its operator after 5 epochs
                out.accept("  training run " + run + ": " + base + "/api/v1/runs/" + run);
            }
        }
        current = f;
        currentCycle = cycle;
    }

    private static String clockText(Duration elapsed) {
        return String.format(Locale.ROOT, "%dh%02dm", elapsed.toHours(), elapsed.toMinutesPart());
    }

    private DemoEvents.Prediction predict(long at) {
        FaultScript.Fault fault = FaultScript.at(Duration.ofMillis(at - clock.originMs()));
        FaultScript.Kind kind = fault == null ? null : fault.kind();
        DemoData.Row row = pool.get(random.nextInt(pool.size()));
        float[] x = new float[row.features().length];
        for (int j = 0; j < x.length; j++) {
            x[j] = (float) (row.features()[j] * (1 + 0.02 * random.nextGaussian()));
        }
        String clinic = CLINICS.get(random.nextInt(CLINICS.size()));
        int missing = -1;
        if (kind == FaultScript.Kind.FEATURE_DRIFT) {
            x[TEXTURE] *= 1.4f;
        } else if (kind == FaultScript.Kind.PIPELINE_BREAK && random.nextDouble() < 0.7) {
            missing = CONCAVITY;
        } else if (kind == FaultScript.Kind.SEGMENT_DROP && clinic.equals(FaultScript.BAD_CLINIC)) {
            x[RADIUS] *= 0.7f;
            x[PERIMETER] *= 0.7f;
            x[AREA] *= 0.5f;
        }
        float[] input = x.clone();
        if (missing >= 0) {
            input[missing] = means[missing];  // the serving code fills a missing value with the training mean
        }
        boolean bad = kind == FaultScript.Kind.BAD_VERSION;
        TumorModel.Inference inference = (bad ? v2 : v1).score(input);
        // the network's measured time plus the service around it (request parsing, feature lookup)
        double service = Math.exp(Math.log(6) + 0.35 * random.nextGaussian())
                * (kind == FaultScript.Kind.LATENCY_SPIKE ? 8 : 1);
        String id = "p-" + (++seq);
        long labelAt = at + Duration.ofMinutes(2).toMillis() + (long) (random.nextDouble() * Duration.ofMinutes(8).toMillis());
        queue(labelAt, new DemoEvents.Label(MODEL, id, row.label(), labelAt));
        return new DemoEvents.Prediction(MODEL, id, bad ? "v2" : "v1", at, features(x, missing),
                inference.score(), inference.millis() + service, Map.of("clinic", clinic));
    }

    private static Map<String, Object> features(float[] x, int missing) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int j = 0; j < x.length; j++) {
            f.put(DemoData.FEATURES.get(j), j == missing ? null : (double) x[j]);
        }
        return f;
    }

    private List<DemoEvents.Metric> metrics(long now) {
        List<DemoEvents.Metric> m = new ArrayList<>();
        for (HostMetrics.Reading r : host.read(List.of((int) pid))) {
            Map<String, String> labels = new LinkedHashMap<>(r.labels());
            labels.put("host", "demo");
            m.add(new DemoEvents.Metric(r.name(), r.value(), null, labels, now));
        }
        boolean saturated = current != null && current.kind() == FaultScript.Kind.LATENCY_SPIKE;
        double cpu = saturated ? 96 + 4 * random.nextDouble() : Math.max(5, 30 + 8 * random.nextGaussian());
        // the serving host's CPU, under the agent's name for it, for the model: what the diagnosis reads
        m.add(new DemoEvents.Metric(ResourceMetrics.HOST_CPU_UTILIZATION, cpu, MODEL, Map.of("host", SERVING_HOST), now));
        return m;
    }

    /** Sends a request; its answer's body, or null (printed) when it failed. */
    private String send(String method, String path, byte[] body, String type) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                out.accept("demo traffic: " + method + " " + path + " answered " + r.statusCode() + ": " + r.body());
                return null;
            }
            return r.body();
        } catch (IOException e) {
            out.accept("demo traffic: " + method + " " + path + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** Stops sending (after a tick under way) and releases the networks. */
    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
        v1.close();
        v2.close();
    }
}
