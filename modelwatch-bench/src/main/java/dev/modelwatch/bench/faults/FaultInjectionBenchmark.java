package dev.modelwatch.bench.faults;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.bench.faults.PeerBaselines.Decision;
import dev.modelwatch.bench.faults.PeerBaselines.WindowData;
import dev.modelwatch.server.ModelWatchServer;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.simulate.Scenarios;
import dev.modelwatch.server.simulate.Scenarios.Named;
import dev.modelwatch.server.simulate.TrafficSimulator;
import dev.modelwatch.server.simulate.TrafficSimulator.Fault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault-injection benchmark: every scenario of {@link Scenarios} through a started server with the
 * default rule pack, event time driven by a clock the benchmark sets (one-minute windows, every rule
 * evaluated at each window's close). Per scenario: the delay from the fault's onset to the first alert
 * of the pack, the faults missed, the alerts before the onset and on the clean stream (false alarms
 * per simulated day), and the rank of the true cause in the diagnosis of the range. Beside it, on the
 * same windows' events: static thresholds and the peers' published defaults ({@link PeerBaselines}).
 *
 * <p>The first hour of each model is its reference (ModelWatch takes a version's first hour when no
 * reference is uploaded; the baselines take the same windows). Faults start after it.
 *
 * <pre>java -cp modelwatch-bench-all.jar dev.modelwatch.bench.faults.FaultInjectionBenchmark [--quick]
 *     [--seed N] [--out FILE.md]</pre>
 */
public final class FaultInjectionBenchmark {
    static final long MINUTE = 60_000L;
    static final long START = 20_500 * 86_400_000L; // 2026-02-16T00:00Z
    /** Chunks of the reference (of a window's size each), uploaded as the models' reference. */
    static final int REFERENCE_CHUNKS = 20;

    /** The run's size. */
    public record Settings(int windows, int onset, int perWindow, int cleanWindows, long seed) {
        /** The full run: fault streams of 90 minutes (onset after 45), a clean day, 500 predictions a minute. */
        public static Settings full(long seed) {
            return new Settings(90, 45, 500, 1_440, seed);
        }

        /** The quick run, for the build: 30 minutes (onset after 15), clean 90 minutes, 150 predictions a minute. */
        public static Settings quick(long seed) {
            return new Settings(30, 15, 150, 90, seed);
        }
    }

    /** One detector's outcome on one scenario. */
    public record Detection(Long delayMs, int missed, int falseAlarms, String first) {
    }

    /** The outcome of one scenario. */
    public record Row(String scenario, String expected, int onsets, Detection modelwatch, Integer rank, String topCause,
                      Map<String, Detection> baselines, double cleanDays) {
    }

    /** The outcome of the run. */
    public record Result(Settings settings, List<Row> rows, double cleanDays, Map<String, Integer> falseAlarms) {
    }

    /** The settable clock the server reads: event time. */
    static final class EventClock extends Clock {
        final AtomicLong now;

        EventClock(long ms) {
            now = new AtomicLong(ms);
        }

        @Override
        public long millis() {
            return now.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** A row of the uploaded reference. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ReferenceRow(JsonNode features, Double score, String prediction, String label) {
    }

    /** The reference upload's body. */
    record ReferenceBody(List<ReferenceRow> rows) {
    }

    static final String[] BASELINES = {"static", "evidently_ks", "evidently_psi", "nannyml"};

    private FaultInjectionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        long seed = 20_260_216;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown flag " + args[i] + "; usage: [--quick] [--seed N] [--out FILE.md]");
                    System.exit(2);
                }
            }
        }
        Path dir = Files.createTempDirectory("modelwatch-faults");
        Result r = run(quick ? Settings.quick(seed) : Settings.full(seed), dir);
        String table = table(r);
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    private static final class Stream {
        final Named named;
        final TrafficSimulator sim;
        final String model;
        final List<Integer> onsetWindows = new ArrayList<>();
        final List<WindowData> windows = new ArrayList<>();
        final Map<String, WindowData> byId = new HashMap<>();
        PeerBaselines baselines;
        final Map<String, List<Boolean>> alarms = new LinkedHashMap<>();
        final Map<String, List<String>> alarmWhy = new LinkedHashMap<>();

        Stream(Named named, TrafficSimulator sim) {
            this.named = named;
            this.sim = sim;
            this.model = sim.scenario().model();
            for (Fault f : named.faults()) {
                onsetWindows.addAll(sim.onsetWindows(f));
            }
            onsetWindows.sort(Integer::compare);
            for (String b : BASELINES) {
                alarms.put(b, new ArrayList<>());
                alarmWhy.put(b, new ArrayList<>());
            }
        }

        int windowCount() {
            return sim.scenario().windows();
        }
    }

    /** Runs every scenario through a server started in {@code dir}. */
    public static Result run(Settings s, Path dir) throws Exception {
        List<Stream> streams = new ArrayList<>();
        long seed = s.seed();
        for (Named n : Scenarios.all()) {
            int windows = n.clean() ? s.cleanWindows() : s.windows();
            int onset = n.clean() ? windows : s.onset();
            String model = "bench-" + n.name().replace('_', '-');
            TrafficSimulator sim = new TrafficSimulator(new TrafficSimulator.Scenario(n.name(), model, n.faults(), windows,
                    onset, s.perWindow(), n.clean() ? Math.min(windows, 1_440) : windows), new SplittableRandom(seed++),
                    START, MINUTE);
            streams.add(new Stream(n, sim));
        }
        int maxWindows = streams.stream().mapToInt(Stream::windowCount).max().orElse(0);
        // the reference: clean traffic of the same generator, another seed, before the streams' start
        TrafficSimulator refSim = new TrafficSimulator(new TrafficSimulator.Scenario("reference", "reference",
                java.util.EnumSet.noneOf(Fault.class), REFERENCE_CHUNKS, REFERENCE_CHUNKS, s.perWindow()),
                new SplittableRandom(s.seed() - 1), START - REFERENCE_CHUNKS * MINUTE, MINUTE);
        Stream ref = new Stream(Scenarios.all().get(0), refSim);
        StringBuilder refEvents = new StringBuilder();
        for (int w = 0; w < REFERENCE_CHUNKS; w++) {
            ref.windows.add(new WindowData());
            refEvents.append(refSim.window(w));
        }
        refEvents.append(refSim.remainingLabels());
        collect(ref, refEvents.toString());
        String referenceBody = new String(Json.bytes(new ReferenceBody(referenceRows(refEvents.toString()))),
                StandardCharsets.UTF_8);
        for (Stream st : streams) {
            st.baselines = new PeerBaselines(ref.windows);
        }
        EventClock clock = new EventClock(START - MINUTE);
        HttpClient http = HttpClient.newHttpClient();
        try (ModelWatchServer server = ModelWatchServer.start(ServerConfig.defaults().withDataDir(dir).withPort(0), clock)) {
            String base = "http://127.0.0.1:" + server.port();
            for (Stream st : streams) {
                request(http, base, "PUT", "/api/v1/models/" + st.model,
                        "{\"task\":\"binary_classification\",\"positive_class\":\"1\",\"window\":\"1m\"}");
                request(http, base, "PUT", "/api/v1/models/" + st.model + "/reference", referenceBody);
            }
            Map<String, List<JsonNode>> history = new HashMap<>();
            for (int w = 0; w < maxWindows; w++) {
                clock.now.set(Math.max(clock.now.get(), START + w * MINUTE));
                for (Stream st : streams) {
                    if (w < st.windowCount()) {
                        if (w == st.sim.scenario().onsetWindow()) {
                            post(http, base, st, st.sim.trainingEvents(st.sim.onsetMs()));
                        }
                        st.windows.add(new WindowData());
                        post(http, base, st, st.sim.window(w));
                    }
                }
                server.awaitAggregated(Duration.ofMinutes(1));
                long now = START + (w + 1) * MINUTE + 20;
                clock.now.set(now);
                server.evaluateAlerts(now);
                collectFiring(http, base, now, history);
                for (Stream st : streams) {
                    if (w < st.windowCount()) {
                        decideBaselines(st, w);
                    }
                }
            }
            List<Row> rows = new ArrayList<>();
            double cleanDays = 0;
            Map<String, Integer> falseAlarms = new LinkedHashMap<>();
            falseAlarms.put("modelwatch", 0);
            for (String b : BASELINES) {
                falseAlarms.put(b, 0);
            }
            for (Stream st : streams) {
                int firstOnset = st.onsetWindows.isEmpty() ? st.windowCount() : st.onsetWindows.get(0);
                double days = firstOnset * MINUTE / 86_400_000.0;
                cleanDays += days;
                List<JsonNode> fired = history.getOrDefault(st.model, List.of());
                Detection mw = modelwatch(st, fired);
                falseAlarms.merge("modelwatch", mw.falseAlarms(), Integer::sum);
                Map<String, Detection> base2 = new LinkedHashMap<>();
                for (String b : BASELINES) {
                    Detection d = baseline(st, b);
                    base2.put(b, d);
                    falseAlarms.merge(b, d.falseAlarms(), Integer::sum);
                }
                Integer rank = null;
                String top = "-";
                if (!st.onsetWindows.isEmpty()) {
                    long onsetMs = START + firstOnset * MINUTE;
                    long end = START + st.windowCount() * MINUTE;
                    JsonNode d = Json.MAPPER.readTree(request(http, base, "GET", "/api/v1/models/" + st.model
                            + "/diagnosis?from=" + Math.max(START, onsetMs - (end - onsetMs))
                            + "&to=" + end + "&onset=" + onsetMs, null));
                    JsonNode causes = d.path("causes");
                    if (causes.size() > 0) {
                        top = causes.get(0).path("kind").asText() + describe(causes.get(0));
                    }
                    if (st.named.expected() != null) {
                        rank = 0;
                        for (int i = 0; i < causes.size(); i++) {
                            if (matches(causes.get(i), st.named.expected())) {
                                rank = i + 1;
                                break;
                            }
                        }
                    }
                }
                rows.add(new Row(st.named.name(), st.named.expected() == null ? (st.named.clean() ? "none" : "no kind covers it")
                        : st.named.expected().toString(), st.onsetWindows.size(), mw, rank, top, base2, days));
            }
            return new Result(s, rows, cleanDays, falseAlarms);
        }
    }

    private static String describe(JsonNode cause) {
        for (String part : new String[] {"feature", "segment", "version"}) {
            if (cause.hasNonNull(part)) {
                return " " + part + "=" + cause.path(part).asText();
            }
        }
        return "";
    }

    private static boolean matches(JsonNode cause, Scenarios.Expected e) {
        return cause.path("kind").asText().equals(e.kind()) && (e.field() == null || e.value().equals(cause.path(e.field()).asText()));
    }

    /** The transitions to firing of the evaluation at {@code now}, per model, from the alert history. */
    private static void collectFiring(HttpClient http, String base, long now, Map<String, List<JsonNode>> out)
            throws Exception {
        JsonNode h = Json.MAPPER.readTree(request(http, base, "GET", "/api/v1/alert-history?since=" + now, null))
                .path("history");
        for (JsonNode e : h) {
            if (e.path("to").asText().equals("firing") && atMs(e) == now) {
                out.computeIfAbsent(e.path("labels").path("model").asText(), k -> new ArrayList<>()).add(e);
            }
        }
    }

    private static long atMs(JsonNode historyEntry) {
        JsonNode at = historyEntry.path("at");
        return at.isNumber() ? at.asLong() : Instant.parse(at.asText()).toEpochMilli();
    }

    /** ModelWatch's outcome: alerts firing before the first onset are false alarms; each onset detected by the next. */
    private static Detection modelwatch(Stream st, List<JsonNode> fired) {
        int falseAlarms = 0;
        long firstOnsetMs = START + (st.onsetWindows.isEmpty() ? st.windowCount() : st.onsetWindows.get(0)) * MINUTE;
        for (JsonNode e : fired) {
            if (atMs(e) < firstOnsetMs) {
                falseAlarms++;
            }
        }
        Long delay = null;
        String first = null;
        int missed = 0;
        for (int i = 0; i < st.onsetWindows.size(); i++) {
            long from = START + st.onsetWindows.get(i) * MINUTE;
            long to = i + 1 < st.onsetWindows.size() ? START + st.onsetWindows.get(i + 1) * MINUTE
                    : START + (st.windowCount() + 1) * MINUTE;
            JsonNode hit = null;
            for (JsonNode e : fired) {
                long at = atMs(e);
                if (at >= from && at < to && (hit == null || at < atMs(hit))) {
                    hit = e;
                }
            }
            if (hit == null) {
                missed++;
            } else if (i == 0) {
                delay = atMs(hit) - from;
                first = hit.path("rule").asText();
            }
        }
        return new Detection(delay, missed, falseAlarms, first);
    }

    private static void decideBaselines(Stream st, int w) {
        PeerBaselines b = st.baselines;
        WindowData d = st.windows.get(w);
        // label-based decisions are made when a window's labels are in: two windows later
        int labelled = w - TrafficSimulator.LABEL_DELAY_WINDOWS;
        WindowData l = labelled >= 0 ? st.windows.get(labelled) : null;
        record(st, "static", or(b.staticThresholds(d), l == null ? Decision.NONE : b.staticAccuracy(l)));
        record(st, "evidently_ks", b.evidentlyKs(d));
        record(st, "evidently_psi", b.evidentlyPsi(d));
        record(st, "nannyml", or(b.nannymlDrift(d), l == null ? Decision.NONE : b.nannymlAccuracy(l)));
    }

    private static Decision or(Decision a, Decision b) {
        return a.alarm() ? a : b;
    }

    private static void record(Stream st, String baseline, Decision d) {
        st.alarms.get(baseline).add(d.alarm());
        st.alarmWhy.get(baseline).add(d.why());
    }

    /**
     * A baseline's outcome: its alarms are per window; a run of consecutive alarmed windows is one
     * alarm; decided at the window's close.
     */
    private static Detection baseline(Stream st, String name) {
        List<Boolean> a = st.alarms.get(name);
        int firstOnset = st.onsetWindows.isEmpty() ? st.windowCount() : st.onsetWindows.get(0);
        int falseAlarms = 0;
        for (int w = 0; w < firstOnset; w++) {
            if (a.get(w) && (w == 0 || !a.get(w - 1))) {
                falseAlarms++;
            }
        }
        Long delay = null;
        String first = null;
        int missed = 0;
        for (int i = 0; i < st.onsetWindows.size(); i++) {
            int from = st.onsetWindows.get(i);
            int to = i + 1 < st.onsetWindows.size() ? st.onsetWindows.get(i + 1) : st.windowCount();
            Integer hit = null;
            for (int w = from; w < to && hit == null; w++) {
                if (a.get(w)) {
                    hit = w;
                }
            }
            if (hit == null) {
                missed++;
            } else if (i == 0) {
                delay = (hit + 1 - from) * MINUTE;
                first = st.alarmWhy.get(name).get(hit);
            }
        }
        return new Detection(delay, missed, falseAlarms, first);
    }

    /** Sends NDJSON and records every prediction and label into the stream's window data. */
    private static void post(HttpClient http, String base, Stream st, String ndjson) throws Exception {
        if (ndjson.isEmpty()) {
            return;
        }
        collect(st, ndjson);
        String answer = request(http, base, "POST", "/api/v1/events", ndjson);
        JsonNode a = Json.MAPPER.readTree(answer);
        if (a.path("rejected").asLong() > 0) {
            throw new IllegalStateException("the server rejected events of " + st.model + ": " + answer);
        }
    }

    private static void collect(Stream st, String ndjson) throws IOException {
        for (String line : ndjson.split("\n")) {
            if (!line.startsWith("{\"type\":\"prediction\"") && !line.startsWith("{\"type\":\"label\"")) {
                continue;
            }
            JsonNode e = Json.MAPPER.readTree(line);
            String type = e.path("type").asText();
            if (type.equals("prediction")) {
                int w = (int) ((e.path("timestamp").asLong() - st.sim.startMs()) / MINUTE);
                WindowData d = st.windows.get(w);
                d.predictions++;
                JsonNode f = e.path("features");
                for (String n : PeerBaselines.NUMERICAL) {
                    d.numerical(n, f.path(n).isNumber() ? f.path(n).asDouble() : null);
                }
                for (String n : PeerBaselines.CATEGORICAL) {
                    d.categorical(n, f.path(n).isTextual() ? f.path(n).asText() : null);
                }
                d.latencies.add(e.path("latency_ms").asDouble());
                if (e.has("error")) {
                    d.errors++;
                } else {
                    st.byId.put(e.path("id").asText() + "\u0000" + e.path("prediction").asText(), d);
                }
            } else if (type.equals("label")) {
                String id = e.path("id").asText();
                String label = e.path("label").asText();
                WindowData right = st.byId.remove(id + "\u0000" + label);
                WindowData wrong = right == null ? st.byId.remove(id + "\u0000" + (label.equals("1") ? "0" : "1")) : null;
                if (right != null) {
                    right.labelled++;
                    right.correct++;
                } else if (wrong != null) {
                    wrong.labelled++;
                }
            }
        }
    }

    /** The reference's rows: each prediction with its label when it has one. */
    private static List<ReferenceRow> referenceRows(String ndjson) throws IOException {
        Map<String, String> labels = new HashMap<>();
        List<JsonNode> predictions = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (line.startsWith("{\"type\":\"label\"")) {
                JsonNode e = Json.MAPPER.readTree(line);
                labels.put(e.path("id").asText(), e.path("label").asText());
            } else if (line.startsWith("{\"type\":\"prediction\"")) {
                predictions.add(Json.MAPPER.readTree(line));
            }
        }
        List<ReferenceRow> rows = new ArrayList<>();
        for (JsonNode p : predictions) {
            rows.add(new ReferenceRow(p.path("features"), p.path("score").asDouble(), p.path("prediction").asText(),
                    labels.get(p.path("id").asText())));
        }
        return rows;
    }

    private static String request(HttpClient http, String base, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5));
        if (body == null) {
            b.GET();
        } else {
            b.header("Content-Type", path.endsWith("/events") ? "application/x-ndjson" : "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** The result as BENCHMARKS.md shows it. */
    public static String table(Result r) {
        StringBuilder b = new StringBuilder();
        Settings s = r.settings();
        b.append(String.format(Locale.ROOT, "Fault streams: %d one-minute windows, onset at window %d, %d predictions a "
                + "window; clean stream: %d windows; reference: %d clean rows (%d chunks) uploaded; seed %d.%n%n",
                s.windows(), s.onset(), s.perWindow(), s.cleanWindows(), REFERENCE_CHUNKS * s.perWindow(),
                REFERENCE_CHUNKS, s.seed()));
        b.append("| scenario | true cause | ModelWatch: delay (first alert) | missed | diagnosis rank (top cause) | "
                + "static | Evidently KS | Evidently PSI | NannyML |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : r.rows()) {
            if (row.onsets() == 0) {
                continue;
            }
            b.append("| ").append(row.scenario()).append(" | ").append(row.expected()).append(" | ")
                    .append(delay(row.modelwatch())).append(" | ").append(row.modelwatch().missed()).append('/')
                    .append(row.onsets()).append(" | ").append(row.rank() == null ? "-" : row.rank() == 0 ? "absent"
                            : row.rank().toString()).append(" (").append(row.topCause()).append(") |");
            for (String base : BASELINES) {
                Detection d = row.baselines().get(base);
                b.append(' ').append(delay(d)).append(d.missed() > 0 ? " (" + d.missed() + "/" + row.onsets() + " missed)" : "")
                        .append(" |");
            }
            b.append('\n');
        }
        b.append(String.format(Locale.ROOT, "%nFalse alarms over %.2f simulated days of clean traffic (the clean stream and "
                + "every stream before its onset), per simulated day:%n%n", r.cleanDays()));
        b.append("| detector | false alarms | per simulated day |\n|---|---|---|\n");
        for (Map.Entry<String, Integer> e : r.falseAlarms().entrySet()) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.1f |%n", e.getKey(), e.getValue(),
                    e.getValue() / Math.max(1e-9, r.cleanDays())));
        }
        return b.toString();
    }

    private static String delay(Detection d) {
        if (d.delayMs() == null) {
            return "missed";
        }
        return (d.delayMs() / MINUTE) + " min" + (d.first() == null ? "" : " (" + d.first() + ")");
    }
}
