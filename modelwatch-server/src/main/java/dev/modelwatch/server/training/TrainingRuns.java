package dev.modelwatch.server.training;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.TrainingEvent;
import dev.modelwatch.core.training.RunState;
import dev.modelwatch.core.training.TrainingProblem;
import dev.modelwatch.core.training.TrainingRun;
import dev.modelwatch.store.StoredRun;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.store.TrainingRunStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The training runs the server knows, built from the {@code training} events of the durable ingest log
 * and kept in storage ({@link TrainingRunStore}) with the log position they include, so that a restart
 * replays exactly the events a run had not seen. Fed by the log's single delivery thread; read by API
 * requests. Training events come once per logged step, far rarer than predictions: one monitor guards it.
 *
 * <pre>{@code
 * TrainingRuns runs = TrainingRuns.load(store.trainingRuns(), clock, config.training());
 * runs.accept(events, lsnStart, lsnEnd);   // from the log listener
 * runs.persist();                          // before the log is truncated
 * }</pre>
 */
public final class TrainingRuns {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRuns.class);
    /** Runs kept; events of further runs are counted and dropped. */
    public static final int MAX_RUNS = 10_000;

    private final TrainingRunStore store;
    private final Clock clock;
    private final TrainingConfig config;
    private final Map<Key, Tracked> runs = new HashMap<>();
    /** Per model: problems found since the start (what its alert series change with) and when the last was. */
    private final Map<String, long[]> activity = new HashMap<>();
    private long lastLsn;
    private long droppedEvents;

    private record Key(String model, String run) {
    }

    private static final class Tracked {
        final TrainingRun run;
        long storedLsn;
        boolean dirty;
        /** Counts the changes of the run since the start (events applied, stalls noticed). */
        long changes;

        Tracked(TrainingRun run, long storedLsn) {
            this.run = run;
            this.storedLsn = storedLsn;
        }
    }

    private TrainingRuns(TrainingRunStore store, Clock clock, TrainingConfig config) {
        this.store = store;
        this.clock = clock;
        this.config = config;
    }

    /** The runs stored so far; a run with no event for {@code stallAfter} is stalled; default thresholds. */
    public static TrainingRuns load(TrainingRunStore store, Clock clock, Duration stallAfter) {
        return load(store, clock, TrainingConfig.DEFAULT.withStallAfter(stallAfter));
    }

    /**
     * The runs stored so far, their detectors continuing from their stored state, with each model's
     * stall time and thresholds from {@code config}.
     */
    public static TrainingRuns load(TrainingRunStore store, Clock clock, TrainingConfig config) {
        TrainingRuns r = new TrainingRuns(store, clock, config);
        for (StoredRun s : store.all()) {
            RunState state = Json.read(s.state(), RunState.class, "stored training run " + s.model() + "/" + s.run());
            TrainingRun run = TrainingRun.restore(state, config.forModel(s.model()).detectors());
            r.runs.put(new Key(s.model(), s.run()), new Tracked(run, s.logLsn()));
            state.problems().forEach(p -> r.noteProblem(s.model(), p));
            r.lastLsn = Math.max(r.lastLsn, s.logLsn());
        }
        return r;
    }

    /**
     * Applies the training events of a log record at {@code [lsnStart, lsnEnd)}; a run skips a record
     * its stored state already includes (a replay after a restart).
     */
    public synchronized void accept(List<Event> events, long lsnStart, long lsnEnd) {
        for (Event e : events) {
            if (!(e instanceof TrainingEvent t)) {
                continue;
            }
            Key key = new Key(t.model(), t.run());
            Tracked tracked = runs.get(key);
            if (tracked == null) {
                if (runs.size() >= MAX_RUNS) {
                    droppedEvents++;
                    continue;
                }
                tracked = new Tracked(new TrainingRun(t.model(), t.run(), config.forModel(t.model()).detectors()), -1);
                runs.put(key, tracked);
            }
            if (lsnEnd <= tracked.storedLsn) {
                continue;
            }
            for (TrainingProblem p : tracked.run.apply(t)) {
                LOG.info("training run {}/{}: {} at step {}: {}", t.model(), t.run(), p.kind(), p.step(), p.message());
                noteProblem(t.model(), p);
            }
            tracked.dirty = true;
            tracked.changes++;
        }
        lastLsn = Math.max(lastLsn, lsnEnd);
    }

    /**
     * Marks stalled runs and writes the runs that changed; false (and logged) when storage refused, so
     * that the caller keeps the log they were built from.
     */
    public boolean persist() {
        List<StoredRun> changed = new ArrayList<>();
        List<Tracked> written = new ArrayList<>();
        synchronized (this) {
            checkStalled();
            long now = clock.millis();
            for (Map.Entry<Key, Tracked> e : runs.entrySet()) {
                Tracked t = e.getValue();
                if (t.dirty) {
                    changed.add(new StoredRun(e.getKey().model(), e.getKey().run(), encode(t.run.state()), lastLsn, now));
                    written.add(t);
                }
            }
            written.forEach(t -> t.dirty = false);
        }
        try {
            store.save(changed);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("could not store {} training runs ({}); the ingest log keeps their events", changed.size(),
                    e.getMessage());
            synchronized (this) {
                written.forEach(t -> t.dirty = true);
            }
            return false;
        }
    }

    /** The runs (of one model when it is given), by model and run. */
    public synchronized List<RunState> list(String model) {
        checkStalled();
        return runs.values().stream().map(t -> t.run)
                .filter(r -> model == null || r.model().equals(model))
                .sorted(Comparator.comparing(TrainingRun::model).thenComparing(TrainingRun::run))
                .map(TrainingRun::state).toList();
    }

    /** The runs named {@code run} (of {@code model} when it is given). */
    public synchronized List<RunState> find(String run, String model) {
        checkStalled();
        List<RunState> out = new ArrayList<>();
        for (Map.Entry<Key, Tracked> e : runs.entrySet()) {
            if (e.getKey().run().equals(run) && (model == null || e.getKey().model().equals(model))) {
                out.add(e.getValue().run.state());
            }
        }
        out.sort(Comparator.comparing(RunState::model));
        return out;
    }

    /** The models that have a run of this name. */
    public synchronized Set<String> modelsOf(String run) {
        Set<String> out = new LinkedHashSet<>();
        runs.keySet().stream().filter(k -> k.run().equals(run)).map(Key::model).sorted().forEach(out::add);
        return out;
    }

    public synchronized Optional<RunState> get(String model, String run) {
        checkStalled();
        return Optional.ofNullable(runs.get(new Key(model, run))).map(t -> t.run.state());
    }

    /**
     * Per run, a number that changes whenever the run does (an event applied, a stall noticed: its
     * curves, status or problems), keyed by {@link RunChange}; stalls are checked first.
     */
    public synchronized Map<RunChange, Long> changeSequences() {
        checkStalled();
        Map<RunChange, Long> out = new HashMap<>();
        runs.forEach((k, t) -> out.put(new RunChange(k.model(), k.run()), t.changes));
        return out;
    }

    /** A run named in {@link #changeSequences()}. */
    public record RunChange(String model, String run) {
    }

    /** Events of runs beyond {@link #MAX_RUNS}, not kept. */
    public synchronized long droppedEvents() {
        return droppedEvents;
    }

    /**
     * Per model with runs: a sequence that changes whenever a problem of its runs is found (stalls are
     * checked first), and the time of its latest problem (Long.MIN_VALUE: none).
     */
    public synchronized List<ProblemActivity> problemActivity() {
        checkStalled();
        Set<String> models = new java.util.TreeSet<>();
        runs.keySet().forEach(k -> models.add(k.model()));
        List<ProblemActivity> out = new ArrayList<>(models.size());
        for (String m : models) {
            long[] a = activity.get(m);
            out.add(new ProblemActivity(m, a == null ? 0 : a[0], a == null ? Long.MIN_VALUE : a[1]));
        }
        return out;
    }

    /**
     * The problems found at times in {@code (fromMsExclusive, toMsInclusive]}, of the runs of
     * {@code models} (every model when null), by model, run and time.
     */
    public synchronized List<FoundProblem> problemsBetween(Set<String> models, long fromMsExclusive, long toMsInclusive) {
        List<FoundProblem> out = new ArrayList<>();
        for (Map.Entry<Key, Tracked> e : runs.entrySet()) {
            if (models != null && !models.contains(e.getKey().model())) {
                continue;
            }
            for (TrainingProblem p : e.getValue().run.problems()) {
                if (p.atMs() > fromMsExclusive && p.atMs() <= toMsInclusive) {
                    out.add(new FoundProblem(e.getKey().model(), e.getKey().run(), p));
                }
            }
        }
        out.sort(Comparator.comparing(FoundProblem::model).thenComparing(FoundProblem::run)
                .thenComparingLong(f -> f.problem().atMs()));
        return out;
    }

    /** What {@link #problemActivity()} says of one model. */
    public record ProblemActivity(String model, long sequence, long lastProblemMs) {
    }

    /** A problem of run {@code run} of {@code model}. */
    public record FoundProblem(String model, String run, TrainingProblem problem) {
    }

    private void noteProblem(String model, TrainingProblem p) {
        long[] a = activity.computeIfAbsent(model, m -> new long[] {0, Long.MIN_VALUE});
        a[0]++;
        a[1] = Math.max(a[1], p.atMs());
    }

    private void checkStalled() {
        long now = clock.millis();
        for (Tracked t : runs.values()) {
            long stallAfterMs = config.forModel(t.run.model()).stallAfter().toMillis();
            for (TrainingProblem p : t.run.checkStalled(now, stallAfterMs)) {
                LOG.info("training run {}/{}: {}", t.run.model(), t.run.run(), p.message());
                noteProblem(t.run.model(), p);
                t.dirty = true;
                t.changes++;
            }
        }
    }

    private static byte[] encode(RunState s) {
        return Json.bytes(s);
    }
}
