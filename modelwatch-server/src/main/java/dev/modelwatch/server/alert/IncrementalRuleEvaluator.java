package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Evaluates rule expressions so that the work of a pass follows the models whose series changed, not
 * all models. Each rule keeps, per model, the samples its last evaluation gave that model; a pass
 * queries only the models whose data changed since ({@link PerModelSeriesSource.ModelData#changeSequence})
 * or whose result may still change as time passes (the last evaluation lay within the rule's horizon
 * after the model's newest window with data, see {@link RuleModelScope}), and reuses the kept samples
 * of the others; within the horizon, a model is not queried again before its next window boundary
 * when the rule's durations are multiples of its window. Deciding that costs one sequence and a few
 * timestamp comparisons per model and rule.
 * The samples handed to the alert lifecycle are the same a full evaluation would give, so {@code for},
 * {@code keep_firing_for}, no-data and resolution behave as before; absence rules such as "no traffic"
 * ({@code sum_over_time(count[10m]) == 0}) see every model.
 *
 * <p>A rule that is not separable by model (an aggregation dropping {@code model}, {@code absent}, ...)
 * or a source that is not a {@link PerModelSeriesSource} is evaluated in full every pass.
 *
 * <p>Not thread-safe: the alert evaluator calls it under its lock.
 */
final class IncrementalRuleEvaluator {
    private final SeriesSource source;
    private final long lookbackDeltaMs;
    private final Map<String, RuleCache> caches = new HashMap<>();
    private long modelsEvaluated;
    private long modelsReused;

    /**
     * @param evaluatedAtMs the earlier of the evaluation time and the clock then
     * @param latestAtMs    the later of the two (series are cut at windows closed on the clock)
     */
    private record Kept(long changeSequence, long evaluatedAtMs, long latestAtMs, List<InstantSample> samples) {
    }

    private static final class RuleCache {
        final Map<String, Kept> byModel = new HashMap<>();
    }

    IncrementalRuleEvaluator(SeriesSource source, long lookbackDeltaMs) {
        this.source = source;
        this.lookbackDeltaMs = lookbackDeltaMs;
    }

    /** What one pass knows of the models, read once before any rule queries them. */
    final class Pass {
        private final List<PerModelSeriesSource.ModelData> models;
        /** The source as this pass reads it ({@link PerModelSeriesSource#forPass}). */
        private final SeriesSource passSource;
        private final long nowMs;
        private final long settledAtMs;
        private final long latestAtMs;

        private Pass(SeriesSource passSource, List<PerModelSeriesSource.ModelData> models, long nowMs, long clockMs) {
            this.passSource = passSource;
            this.models = models;
            this.nowMs = nowMs;
            // a result counts as settled only for windows closed on both the evaluation time and the clock
            this.settledAtMs = Math.min(nowMs, clockMs);
            this.latestAtMs = Math.max(nowMs, clockMs);
        }

        /** The samples of {@code rule} at this pass's time; throws what the expression throws. */
        List<InstantSample> evaluate(AlertRule rule) {
            OptionalLong horizon = models == null ? OptionalLong.empty()
                    : RuleModelScope.perModelHorizon(rule.expr().root(), lookbackDeltaMs);
            if (horizon.isEmpty()) {
                caches.remove(rule.name());
                return rule.expr().evaluate(passSource, nowMs, lookbackDeltaMs);
            }
            RuleCache cache = caches.computeIfAbsent(rule.name(), k -> new RuleCache());
            long alignment = RuleModelScope.alignment(rule.expr().root(), lookbackDeltaMs);
            Set<String> due = new HashSet<>();
            Set<String> present = new HashSet<>(models.size() * 2);
            for (PerModelSeriesSource.ModelData m : models) {
                present.add(m.model());
                Kept k = cache.byModel.get(m.model());
                if (k == null || k.changeSequence() != m.changeSequence() || settledAtMs < k.evaluatedAtMs()
                        || (k.evaluatedAtMs() <= saturatedAdd(m.dataEndMs(), horizon.getAsLong())
                        && !sameWindow(k, m.windowMs(), alignment))) {
                    due.add(m.model());
                }
            }
            cache.byModel.keySet().retainAll(present);
            if (!due.isEmpty()) {
                List<InstantSample> fresh;
                try {
                    fresh = rule.expr().evaluate(scoped(due), nowMs, lookbackDeltaMs);
                } catch (RuntimeException e) {
                    caches.remove(rule.name());
                    throw e;
                }
                Map<String, List<InstantSample>> byModel = new HashMap<>();
                for (InstantSample s : fresh) {
                    String model = s.labels().get(RuleModelScope.MODEL);
                    if (model != null && due.contains(model)) {
                        byModel.computeIfAbsent(model, k -> new ArrayList<>()).add(s);
                    }
                }
                for (PerModelSeriesSource.ModelData m : models) {
                    if (due.contains(m.model())) {
                        cache.byModel.put(m.model(), new Kept(m.changeSequence(), settledAtMs, latestAtMs,
                                List.copyOf(byModel.getOrDefault(m.model(), List.of()))));
                    }
                }
            }
            modelsEvaluated += due.size();
            modelsReused += models.size() - due.size();
            List<InstantSample> out = new ArrayList<>();
            for (PerModelSeriesSource.ModelData m : models) {
                Kept k = cache.byModel.get(m.model());
                if (k != null) {
                    out.addAll(k.samples());
                }
            }
            return out;
        }

        /**
         * Whether this pass lies between the same two window boundaries of the model as the kept
         * evaluation, with the rule's durations multiples of the window: then no sample entered or
         * left any of its ranges since.
         */
        private boolean sameWindow(Kept k, long windowMs, long alignment) {
            return windowMs > 0 && alignment % windowMs == 0
                    && Math.floorDiv(k.evaluatedAtMs(), windowMs) == Math.floorDiv(latestAtMs, windowMs)
                    && Math.floorDiv(k.latestAtMs(), windowMs) == Math.floorDiv(settledAtMs, windowMs);
        }

        private SeriesSource scoped(Set<String> only) {
            PerModelSeriesSource perModel = (PerModelSeriesSource) passSource;
            return (name, matchers, from, to) -> perModel.select(name, matchers, from, to, only);
        }
    }

    /**
     * Starts a pass at {@code nowMs}, reading what changed of every model once; its rules read the
     * source's view for the pass ({@link PerModelSeriesSource#forPass}: a closed window read once for all).
     */
    Pass pass(long nowMs, long clockMs) {
        if (source instanceof PerModelSeriesSource p) {
            return new Pass(p.forPass(), p.models(), nowMs, clockMs);
        }
        return new Pass(source, null, nowMs, clockMs);
    }

    /** The source the rules read. */
    SeriesSource source() {
        return source;
    }

    /** How far back an instant selector looks for a sample. */
    long lookbackDeltaMs() {
        return lookbackDeltaMs;
    }

    /** Model evaluations run (a rule's query for one model) since the start. */
    long modelsEvaluated() {
        return modelsEvaluated;
    }

    /** Model evaluations answered from the kept samples since the start. */
    long modelsReused() {
        return modelsReused;
    }

    private static long saturatedAdd(long a, long b) {
        if (a == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
