package dev.modelwatch.core.training;

import dev.modelwatch.core.event.TrainingEvent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is known of one training run: its status, a down-sampled {@link StepSeries} per metric, the
 * resumes from checkpoints and the problems its detectors found. One writer feeds it events in the
 * order they were logged; a step lower than the last is a resume (the series continue from there).
 *
 * <pre>{@code
 * TrainingRun r = new TrainingRun("fraud", "r-42");
 * r.apply(event);                                   // problems found at this step
 * r.snapshot(now, Duration.ofMinutes(10));          // status, series, resumes, problems
 * }</pre>
 */
public final class TrainingRun {
    /** Metric series a run keeps; further names are counted and not kept. */
    public static final int MAX_METRICS = 1_000;
    /** Buckets per series. */
    public static final int SERIES_CAPACITY = 1_000;
    /** Problems and resumes a run keeps (the latest are dropped beyond). */
    public static final int MAX_LISTED = 1_000;
    /** A metric that marks the run finished when sent with value 1. */
    public static final String FINISHED = "run_finished";
    /** A metric that marks the run failed when sent with value 1. */
    public static final String FAILED = "run_failed";

    private final String model;
    private final String run;
    private final TrainingDetectors detectors;
    private final Map<String, StepSeries> series = new LinkedHashMap<>();
    private final List<Resume> resumes = new ArrayList<>();
    private final List<TrainingProblem> problems = new ArrayList<>();
    private RunStatus status = RunStatus.RUNNING;
    private long firstEventMs = Long.MAX_VALUE;
    private long lastEventMs = Long.MIN_VALUE;
    private long lastStep = -1;
    private Long lastEpoch;
    private long events;
    private long droppedMetrics;
    private boolean stallReported;

    public TrainingRun(String model, String run) {
        this(model, run, DetectorSettings.DEFAULT);
    }

    /** A new run whose detectors use {@code settings}. */
    public TrainingRun(String model, String run, DetectorSettings settings) {
        this(model, run, TrainingDetectors.of(settings));
    }

    private TrainingRun(String model, String run, TrainingDetectors detectors) {
        this.model = model;
        this.run = run;
        this.detectors = detectors;
    }

    /** Restores a run from its {@link #state()} with the default thresholds. */
    public static TrainingRun restore(RunState s) {
        return restore(s, DetectorSettings.DEFAULT);
    }

    /**
     * Restores a run from its {@link #state()}; its detectors continue from their stored state with
     * {@code settings} (afresh when the state predates it).
     */
    public static TrainingRun restore(RunState s, DetectorSettings settings) {
        TrainingRun r = new TrainingRun(s.model(), s.run(), TrainingDetectors.restore(settings, s.detectors()));
        r.status = s.status();
        r.firstEventMs = s.firstEventMs();
        r.lastEventMs = s.lastEventMs();
        r.lastStep = s.lastStep();
        r.lastEpoch = s.lastEpoch();
        r.events = s.events();
        r.droppedMetrics = s.droppedMetrics();
        s.series().forEach((name, ss) -> r.series.put(name, StepSeries.of(SERIES_CAPACITY, ss.width(), ss.buckets())));
        r.resumes.addAll(s.resumes());
        r.problems.addAll(s.problems());
        r.stallReported = s.problems().stream().anyMatch(p -> p.kind().equals("stalled")) && s.status() == RunStatus.RUNNING;
        return r;
    }

    /** Applies one event; returns the problems that started at it. */
    public List<TrainingProblem> apply(TrainingEvent e) {
        events++;
        firstEventMs = Math.min(firstEventMs, e.timestampMs());
        lastEventMs = Math.max(lastEventMs, e.timestampMs());
        stallReported = false;
        if (e.epoch() != null) {
            lastEpoch = e.epoch();
        }
        if (lastStep >= 0 && e.step() < lastStep) {
            if (resumes.size() < MAX_LISTED) {
                resumes.add(new Resume(lastStep, e.step(), e.timestampMs()));
            }
            series.values().forEach(s -> s.truncateAfter(e.step()));
        }
        lastStep = e.step();
        Map<String, Double> metrics = e.metrics();
        for (Map.Entry<String, Double> m : metrics.entrySet()) {
            String name = m.getKey();
            if (name.equals(FINISHED) && m.getValue() == 1) {
                status = RunStatus.FINISHED;
                continue;
            }
            if (name.equals(FAILED) && m.getValue() == 1) {
                status = RunStatus.FAILED;
                continue;
            }
            StepSeries s = series.get(name);
            if (s == null) {
                if (series.size() >= MAX_METRICS) {
                    droppedMetrics++;
                    continue;
                }
                s = new StepSeries(SERIES_CAPACITY);
                series.put(name, s);
            }
            s.add(e.step(), e.timestampMs(), m.getValue());
        }
        if (status == RunStatus.STALLED) {
            status = RunStatus.RUNNING;
        }
        List<TrainingProblem> found = new ArrayList<>();
        detectors.observe(e.step(), metrics).forEach(p -> found.add(p.at(e.timestampMs())));
        record(found);
        return found;
    }

    /**
     * Marks a running run stalled when its last event is older than {@code stallAfterMs} at {@code nowMs};
     * returns the stall problem when it is new.
     */
    public List<TrainingProblem> checkStalled(long nowMs, long stallAfterMs) {
        if (status != RunStatus.RUNNING || events == 0 || nowMs - lastEventMs <= stallAfterMs || stallReported) {
            return List.of();
        }
        status = RunStatus.STALLED;
        stallReported = true;
        TrainingProblem p = new TrainingProblem("stalled", TrainingProblem.CRITICAL, lastStep, "events",
                (nowMs - lastEventMs) / 1000.0, String.format("run stalled: no event for %d s (limit %d s) after step "
                        + "%d; the job may be hung or dead", (nowMs - lastEventMs) / 1000, stallAfterMs / 1000, lastStep)).at(nowMs);
        record(List.of(p));
        return List.of(p);
    }

    private void record(List<TrainingProblem> found) {
        for (TrainingProblem p : found) {
            if (problems.size() < MAX_LISTED) {
                problems.add(p);
            }
        }
    }

    public String model() {
        return model;
    }

    public String run() {
        return run;
    }

    public RunStatus status() {
        return status;
    }

    /** The problems found so far, in the order found (a read-only view). */
    public List<TrainingProblem> problems() {
        return java.util.Collections.unmodifiableList(problems);
    }

    /** The run as it stands, to store or to show. */
    public RunState state() {
        Map<String, RunState.SeriesState> s = new LinkedHashMap<>();
        series.forEach((name, ss) -> s.put(name, new RunState.SeriesState(ss.width(), ss.buckets())));
        return new RunState(model, run, status, firstEventMs, lastEventMs, lastStep, lastEpoch, events, droppedMetrics,
                s, List.copyOf(resumes), List.copyOf(problems), detectors.state());
    }

    /**
     * The run was resumed from a checkpoint: the step went back from {@code fromStep} to {@code toStep}.
     *
     * @param atMs the timestamp of the first event after the resume
     */
    public record Resume(long fromStep, long toStep, long atMs) {
    }
}
