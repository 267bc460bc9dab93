package dev.modelwatch.server.training;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.PerModelSeriesSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The training runs' problems as a metric series the alert rules read: {@code training_problem} with
 * labels {@code model}, {@code run}, {@code kind} (e.g. {@code nan_loss}, {@code stalled}),
 * {@code severity} ({@code critical} or {@code warning}), {@code metric} (the series that shows it) and
 * {@code message} (the detector's words), one sample per problem at the time it was found (the time of
 * the step that showed it; for a stall, when it was noticed) whose value is the step. A rule such as
 * {@code training_problem{severity="critical"} >= 0} fires at its next evaluation and resolves once the
 * sample is older than the lookback (5 minutes): each problem is an event, reported once per episode.
 */
public final class TrainingProblemSeries implements PerModelSeriesSource {
    /** The metric's name. */
    public static final String NAME = "training_problem";

    private final TrainingRuns runs;

    public TrainingProblemSeries(TrainingRuns runs) {
        this.runs = runs;
    }

    @Override
    public List<ModelData> models() {
        List<ModelData> out = new ArrayList<>();
        // window 0: samples lie at any time, not on window boundaries
        for (TrainingRuns.ProblemActivity a : runs.problemActivity()) {
            out.add(new ModelData(a.model(), a.sequence(), a.lastProblemMs(), 0));
        }
        return out;
    }

    @Override
    public List<RangeSeries> select(String metricName, List<LabelMatcher> matchers, long fromMsExclusive,
                                    long toMsInclusive, Set<String> models) {
        if (!NAME.equals(metricName)) {
            return List.of();
        }
        Map<SeriesLabels, TreeMap<Long, Double>> samples = new TreeMap<>();
        for (TrainingRuns.FoundProblem f : runs.problemsBetween(models, fromMsExclusive, toMsInclusive)) {
            Map<String, String> l = new LinkedHashMap<>();
            l.put("model", f.model());
            l.put("run", f.run());
            l.put("kind", f.problem().kind());
            l.put("severity", f.problem().severity());
            l.put("metric", f.problem().metric());
            l.put("message", f.problem().message());
            SeriesLabels labels = SeriesLabels.metric(NAME, l);
            if (matchers.stream().allMatch(m -> m.matches(labels))) {
                samples.computeIfAbsent(labels, k -> new TreeMap<>()).merge(f.problem().atMs(),
                        (double) f.problem().step(), Math::max);
            }
        }
        List<RangeSeries> out = new ArrayList<>(samples.size());
        samples.forEach((labels, byTime) -> {
            long[] ts = new long[byTime.size()];
            double[] vs = new double[byTime.size()];
            int i = 0;
            for (Map.Entry<Long, Double> e : byTime.entrySet()) {
                ts[i] = e.getKey();
                vs[i++] = e.getValue();
            }
            out.add(new RangeSeries(labels, ts, vs));
        });
        return out;
    }
}
