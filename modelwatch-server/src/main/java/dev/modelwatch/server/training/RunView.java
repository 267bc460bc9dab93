package dev.modelwatch.server.training;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.modelwatch.core.training.RunState;
import dev.modelwatch.core.training.StepSeries;
import dev.modelwatch.core.training.TrainingProblem;
import dev.modelwatch.core.training.TrainingRun;
import dev.modelwatch.server.time.Times;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training run as {@code GET /api/v1/runs/{run}} answers it: {@code metrics} holds each metric's curve as
 * {@code [step, value]} pairs (one per bucket: the mean of its finite values, else NaN or an infinity),
 * {@code series} the same buckets with their extremes, non-finite counts and the time of their latest
 * step, {@code resumes} the steps where the run went back to a checkpoint.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(String run, String model, String status, String firstEvent, String lastEvent, long lastStep,
                      Long lastEpoch, long events, long droppedMetrics, Map<String, List<Point>> metrics,
                      Map<String, SeriesView> series, List<ResumeView> resumes, List<TrainingProblem> problems) {

    /** A point of a curve, written {@code [step, value]}. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"step", "value"})
    public record Point(long step, double value) {
    }

    /** One metric's buckets and their width in steps. */
    public record SeriesView(long bucketSteps, List<BucketView> buckets) {
    }

    /**
     * One bucket of steps {@code from_step..to_step}; {@code at} is when its step {@code to_step} was sent
     * (null for a bucket stored before buckets kept their time).
     */
    public record BucketView(long fromStep, long toStep, long count, double mean, double min, double max, double last,
                             long nan, long posInf, long negInf, String at) {
    }

    /** The run went back from {@code from_step} to {@code to_step} (a resume from a checkpoint). */
    public record ResumeView(long fromStep, long toStep, String at) {
    }

    /** A run's summary (no series) for the list. */
    public static RunView summary(RunState s) {
        RunView v = of(s, Set.of());
        return new RunView(v.run, v.model, v.status, v.firstEvent, v.lastEvent, v.lastStep, v.lastEpoch, v.events,
                v.droppedMetrics, null, null, v.resumes, v.problems);
    }

    /**
     * The run with the series named in {@code names} (every series when null).
     */
    public static RunView of(RunState s, Set<String> names) {
        Map<String, List<Point>> metrics = new LinkedHashMap<>();
        Map<String, SeriesView> series = new LinkedHashMap<>();
        s.series().forEach((name, ss) -> {
            if (names != null && !names.contains(name)) {
                return;
            }
            List<Point> points = new ArrayList<>(ss.buckets().size());
            List<BucketView> buckets = new ArrayList<>(ss.buckets().size());
            for (StepSeries.Bucket b : ss.buckets()) {
                points.add(new Point(b.to(), b.value()));
                buckets.add(new BucketView(b.from(), b.to(), b.count(), b.count() == 0 ? Double.NaN : b.sum() / b.count(),
                        b.min(), b.max(), b.last(), b.nan(), b.posInf(), b.negInf(),
                        Times.formatOrNull(b.toMs())));
            }
            metrics.put(name, points);
            series.put(name, new SeriesView(ss.width(), buckets));
        });
        List<ResumeView> resumes = new ArrayList<>();
        for (TrainingRun.Resume r : s.resumes()) {
            resumes.add(new ResumeView(r.fromStep(), r.toStep(), Times.format(r.atMs())));
        }
        boolean none = s.events() == 0;
        return new RunView(s.run(), s.model(), s.status().wireName(), none ? null : Times.format(s.firstEventMs()),
                none ? null : Times.format(s.lastEventMs()), s.lastStep(), s.lastEpoch(), s.events(), s.droppedMetrics(),
                metrics, series, resumes, s.problems());
    }
}
