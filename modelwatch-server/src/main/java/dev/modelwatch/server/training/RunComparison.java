package dev.modelwatch.server.training;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
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
public record RunComparison(String metric, String a, String b, List<Row> points) {

    /** One step's values, written {@code [step, a, b]}. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"step", "a", "b"})
    public record Row(long step, Double a, Double b) {
    }

    /** The comparison of {@code metric} between runs {@code a} and {@code b}. */
    public static RunComparison of(String metric, RunState a, RunState b) {
        TreeMap<Long, Double[]> rows = new TreeMap<>();
        fill(rows, a.series().get(metric), 0);
        fill(rows, b.series().get(metric), 1);
        List<Row> points = new ArrayList<>(rows.size());
        rows.forEach((step, v) -> points.add(new Row(step, v[0], v[1])));
        return new RunComparison(metric, a.model() + "/" + a.run(), b.model() + "/" + b.run(), points);
    }

    private static void fill(Map<Long, Double[]> rows, RunState.SeriesState s, int column) {
        if (s == null) {
            return;
        }
        for (StepSeries.Bucket bucket : s.buckets()) {
            rows.computeIfAbsent(bucket.to(), step -> new Double[2])[column] = bucket.value();
        }
    }
}
