package dev.modelwatch.server.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.metrics.ProfileSummary;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.CoveredRange;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.AlertView;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.core.rules.Durations;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.ingest.IngestAdmission;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.ModelRecord;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The models: their list and declarations, their metrics over a range (summary) and per step (series). */
final class ModelRoutes {
    /** A model as {@code GET /api/v1/models/{model}} shows it; {@code positive_class} only for binary models. */
    record ModelAnswer(String name, String task, @JsonInclude(JsonInclude.Include.NON_NULL) String positiveClass,
                       String window, boolean declared, java.util.Collection<String> versions, String firstEvent, String lastEvent,
                       long predictionCount, String health, List<Map<String, String>> firingAlerts) {
    }

    /** {@code GET /api/v1/models}: a page of models in name order. */
    record ModelList(List<ModelAnswer> models, String nextCursor) {
    }

    /** {@code GET /api/v1/models/{model}/summary}: the range asked for, then every metric of {@link ProfileSummary}. */
    record SummaryAnswer(String model, String from, String to, String version, String segment,
                         CoveredRange covered, @JsonUnwrapped ProfileSummary metrics, double throughputPerS) {
    }

    /** One point of a series: {@code [epoch_ms, value]}. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    record Point(long at, double value) {
    }

    /** One metric with its labels, and its points in time order. */
    record Series(String name, Map<String, String> labels, List<Point> points) {
    }

    /** {@code GET /api/v1/models/{model}/metrics}: the range asked for, the whole steps it covers, the series. */
    record SeriesAnswer(String model, String from, String to, CoveredRange covered, String step, List<Series> series) {
    }

    private final ModelRegistry models;
    private final ModelLookup lookup;
    private final Aggregator aggregator;
    private final ProfileQuery query;
    private final DriftService drift;
    private final AlertRuntime alerts;
    private final IngestAdmission admission;
    private final Clock clock;

    ModelRoutes(ModelRegistry models, ModelLookup lookup, Aggregator aggregator, ProfileQuery query, DriftService drift,
                AlertRuntime alerts, IngestAdmission admission, Clock clock) {
        this.models = models;
        this.lookup = lookup;
        this.aggregator = aggregator;
        this.query = query;
        this.drift = drift;
        this.alerts = alerts;
        this.admission = admission;
        this.clock = clock;
    }

    void register(Router r) {
        r.get("/api/v1/models", Access.READ, this::listModels);
        r.get("/api/v1/models/{model}", Access.READ, ctx -> Answers.send(ctx, 200, answer(lookup.model(ctx))));
        r.put("/api/v1/models/{model}", Access.ADMIN, this::declare);
        r.get("/api/v1/models/{model}/summary", Access.READ, this::summary);
        r.get("/api/v1/models/{model}/metrics", Access.READ, this::series);
    }

    private void listModels(Context ctx) {
        PageRequest page = PageRequest.of(ctx, 1);
        lookup.awaitApplied();
        List<ModelRecord> all = models.all();
        int from = 0;
        if (page.after() != null) {
            String after = page.after().get(0);
            int lo = 0;
            int hi = all.size();
            while (lo < hi) { // the first model named after the cursor's
                int mid = (lo + hi) >>> 1;
                if (all.get(mid).name().compareTo(after) <= 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            from = lo;
        }
        int to = (int) Math.min(all.size(), (long) from + page.limit());
        List<ModelAnswer> list = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            list.add(answer(all.get(i)));
        }
        Answers.send(ctx, 200, new ModelList(list, to < all.size() ? PageRequest.cursor(all.get(to - 1).name()) : null));
    }

    private void declare(Context ctx) throws Exception {
        String name = RequestParams.modelName(ctx);
        JsonNode body = Bodies.json(ctx);
        List<String> problems = new ArrayList<>();
        ModelSpec spec = ConfigLoader.modelSpec(name, body, "body", problems);
        if (spec == null) {
            throw new ApiException(400, String.join("; ", problems));
        }
        String overLimit = admission.admitModel(name);
        if (overLimit != null) {
            throw new ApiException(409, overLimit);
        }
        ModelRecord r;
        try {
            r = aggregator.ask(a -> a.declare(spec)).get(30, TimeUnit.SECONDS);
            aggregator.flushNow().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalStateException ise) {
                throw new ApiException(409, ise.getMessage());
            }
            throw e;
        }
        Answers.send(ctx, 200, answer(r));
    }

    private ModelAnswer answer(ModelRecord m) {
        List<AlertView.FiringAlert> firing = alerts.firing(m.name());
        boolean critical = firing.stream().anyMatch(a -> "critical".equals(a.severity()));
        boolean seen = m.predictionCount() != 0;
        return new ModelAnswer(m.name(), m.spec().task().wireName(),
                m.spec().task() == ModelTask.BINARY_CLASSIFICATION ? m.spec().positiveClass() : null,
                Durations.format(m.spec().windowMs()), m.spec().declared(), m.versions(),
                seen ? Times.format(m.firstEventMs()) : null, seen ? Times.format(m.lastEventMs()) : null,
                m.predictionCount(), critical ? "critical" : firing.isEmpty() ? "ok" : "warning",
                firing.stream().map(AlertView.FiringAlert::labels).toList());
    }

    private void summary(Context ctx) {
        ModelRecord m = lookup.model(ctx);
        RequestParams.Range r = RequestParams.range(ctx, clock.millis());
        WindowProfile p = query.range(m.spec(), r.version(), r.segment(), r.from(), r.to());
        long w = m.spec().windowMs();
        CoveredRange covered = CoveredRange.of(r.from(), r.to(), w, w);
        Answers.send(ctx, 200, new SummaryAnswer(m.name(), Times.format(r.from()), Times.format(r.to()), r.version(),
                r.segment().isEmpty() ? null : r.segment(), covered, ProfileSummary.of(p, m.spec()),
                p.count() * 1000.0 / (covered.windows() * w)));
    }

    private void series(Context ctx) {
        ModelRecord m = lookup.model(ctx);
        RequestParams.Range r = RequestParams.range(ctx, clock.millis());
        String namesParam = ctx.queryParam("names");
        if (namesParam == null || namesParam.isBlank()) {
            throw new ApiException(400, "names: required, a comma-separated list of " + known());
        }
        List<String> names = Arrays.stream(namesParam.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String n : names) {
            if (!MetricCatalog.isKnown(n) && !DriftService.SERIES.contains(n)) {
                throw new ApiException(400, "names: unknown metric '" + n + "'; known: " + known());
            }
        }
        long step = m.spec().windowMs();
        String stepParam = ctx.queryParam("step");
        if (stepParam != null) {
            try {
                step = durationMillis(stepParam);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "step: " + e.getMessage());
            }
        }
        List<ProfileQuery.Bucket> buckets;
        try {
            buckets = query.series(m.spec(), r.version(), r.segment(), r.from(), r.to(), step);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "step: " + e.getMessage());
        }
        List<String> driftNames = names.stream().filter(DriftService.SERIES::contains).toList();
        DriftService.ResolvedReference reference = driftNames.isEmpty() ? null
                : drift.reference(m, r.version()).orElse(null);
        Map<String, Series> series = new LinkedHashMap<>();
        for (ProfileQuery.Bucket b : buckets) {
            List<MetricCatalog.MetricValue> values = new ArrayList<>(
                    MetricCatalog.values(b.profile(), m.spec(), b.endMs() - b.startMs(), names));
            if (reference != null && b.profile().count() > 0) {
                values.addAll(drift.seriesValues(m.spec(), reference, r.version(), r.segment(), b.startMs(), b.endMs(),
                        b.profile(), driftNames));
            }
            for (MetricCatalog.MetricValue v : values) {
                series.computeIfAbsent(v.name() + v.labels(), k -> new Series(v.name(), v.labels(), new ArrayList<>()))
                        .points().add(new Point(b.startMs(), v.value()));
            }
        }
        Answers.send(ctx, 200, new SeriesAnswer(m.name(), Times.format(r.from()), Times.format(r.to()),
                CoveredRange.of(r.from(), r.to(), step, m.spec().windowMs()), Durations.format(step),
                new ArrayList<>(series.values())));
    }

    private static String known() {
        List<String> all = new ArrayList<>(MetricCatalog.MODEL_METRICS);
        all.addAll(MetricCatalog.FEATURE_METRICS);
        all.addAll(DriftService.SERIES);
        return String.join(", ", all);
    }

    /** A duration parameter in the grammar of {@link Durations}; the problem names the value. */
    static long durationMillis(String text) {
        if (!Durations.isValid(text)) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 10s, 1m, 2h, 7d");
        }
        return Durations.parseMillis(text);
    }
}
