package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * A training run as stored and shown (see {@link TrainingRun#state()}).
 *
 * @param lastEpoch      null until an event carries an epoch
 * @param droppedMetrics metric values not kept because the run already had {@link TrainingRun#MAX_METRICS} series
 * @param series         metric name → its down-sampled series, in the order first seen
 * @param detectors      what the run's detectors have seen (null in runs stored before it was kept: they
 *                       start afresh)
 */
public record RunState(String model, String run, RunStatus status, long firstEventMs, long lastEventMs, long lastStep,
                       Long lastEpoch, long events, long droppedMetrics, Map<String, SeriesState> series,
                       List<TrainingRun.Resume> resumes, List<TrainingProblem> problems,
                       TrainingDetectors.State detectors) {

    /** A run without detector state. */
    public RunState(String model, String run, RunStatus status, long firstEventMs, long lastEventMs, long lastStep,
                    Long lastEpoch, long events, long droppedMetrics, Map<String, SeriesState> series,
                    List<TrainingRun.Resume> resumes, List<TrainingProblem> problems) {
        this(model, run, status, firstEventMs, lastEventMs, lastStep, lastEpoch, events, droppedMetrics, series, resumes,
                problems, null);
    }

    /** One metric's buckets and their width in steps. */
    public record SeriesState(long width, List<StepSeries.Bucket> buckets) {
    }
}
