package dev.modelwatch.server.training;

import dev.modelwatch.core.training.RunState;
import dev.modelwatch.core.training.StepSeries;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two runs' curves of one metric aligned by step: {@code points} holds {@code [step, a, b]} rows, a value
 * null where that run has no bucket ending at the step (the runs' buckets may differ in width).
 */
public record RunComparison(String metric, String a, String b, List<Object[]> points) {

    /** The comparison of {@code metric} between runs {@code a} and {@code b}. */
    public static RunComparison of(String metric, RunState a, RunState b) {
        TreeMap<Long, Object[]> rows = new TreeMap<>();
        fill(rows, a.series().get(metric), 1);
        fill(rows, b.series().get(metric), 2);
        List<Object[]> points = new ArrayList<>(rows.values());
        return new RunComparison(metric, a.model() + "/" + a.run(), b.model() + "/" + b.run(), points);
    }

    private static void fill(Map<Long, Object[]> rows, RunState.SeriesState s, int column) {
        if (s == null) {
            return;
        }
        for (StepSeries.Bucket bucket : s.buckets()) {
            rows.computeIfAbsent(bucket.to(), step -> new Object[] {step, null, null})[column] = bucket.value();
        }
    }
}
