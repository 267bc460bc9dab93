package dev.modelwatch.server.diagnosis;

import dev.modelwatch.core.drift.Reference;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.drift.DriftConfig;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.drift.DriftReport;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.server.training.TrainingRuns;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The {@link Diagnoser} over what the server keeps: the merged window profiles before the onset (the
 * baseline) and after it (current), of all traffic, of each segment value and of each version; the
 * drift report of current against the baseline (and against the model's drift reference); the
 * per-step series of data quality, latency, errors and traffic; the {@code metric} events of the
 * hosts serving the model; the training runs. Every cause's score is {@code strength x share}:
 * how strongly its own evidence shows the change (0..1) times the share of the change it explains
 * (0..1) — docs/diagnosis.md gives each formula. It reads only; it never writes.
 *
 * <p>Thread-safe. {@link #diagnose} waits (at most 30 s) for the aggregation runtime to apply what was
 * accepted before the call, like every read of the API: never call it from the runtime's own thread.
 * Every signal is examined whatever raised the question; the request's {@code alerts} then weigh the
 * scores ({@link AlertWeights}): a cause that none of the alerts' symptoms points to counts less.
 *
 * <p>Each kind of cause has its own class ({@link CovariateDriftCauses}, {@link DataQualityCauses},
 * {@link ConceptDriftCauses}, {@link LabelShiftCauses}, {@link SegmentCauses}, {@link VersionCauses},
 * {@link InfrastructureCauses}, {@link TrainingCauses}) over one {@link Frame}; this class builds the
 * frame, combines the kinds' shares and ranks the causes.
 */
public final class ProfileDiagnoser implements Diagnoser {
    /** A cause at or above this score is "probable" (docs/diagnosis.md); clean traffic stays below it. */
    public static final double PROBABLE = 0.5;
    /** Causes scoring below this are left out of the answer. */
    public static final double REPORTED = 0.05;
    private static final int MAX_STEPS = 240;
    private static final int MAX_CAUSES = 10;

    /** What the diagnosis reads. */
    public record Sources(ModelRegistry models, Aggregator aggregator, ProfileQuery query, DriftService drift,
                          DriftConfig driftConfig, Store store, TrainingRuns runs) {
    }

    private final Sources in;
    private final Clock clock;
    private final DataQualityCauses dataQuality;
    private final CovariateDriftCauses covariate;
    private final SegmentCauses segments;
    private final VersionCauses versions;
    private final TrainingCauses training;
    private final InfrastructureCauses infrastructure;

    public ProfileDiagnoser(Sources sources, Clock clock) {
        this.in = sources;
        this.clock = clock;
        this.dataQuality = new DataQualityCauses(sources);
        this.covariate = new CovariateDriftCauses(sources);
        this.segments = new SegmentCauses(sources);
        this.versions = new VersionCauses(sources);
        this.training = new TrainingCauses(sources);
        this.infrastructure = new InfrastructureCauses(sources);
    }

    @Override
    public Diagnosis diagnose(DiagnosisRequest request) {
        awaitApplied();
        ModelRecord m = in.models().get(request.model()).orElse(null);
        // a model that only trains (no predictions yet) is known by the run the question names
        if (m == null && (request.run() == null || in.runs().get(request.model(), request.run()).isEmpty())) {
            throw new NoSuchElementException("unknown model '" + request.model() + "'");
        }
        Frame f = m == null ? null : frame(m, request);
        List<Cause> causes = new ArrayList<>();
        boolean runServes = false;
        if (f != null) {
            Perf perf = Perf.of(f);
            List<Cause> quality = dataQuality.dataQuality(f);
            Map<String, Double> qualityByFeature = new HashMap<>();
            quality.forEach(c -> qualityByFeature.merge(c.feature(), c.score(), Math::max));
            Cause label = LabelShiftCauses.labelShift(f);
            List<Cause> regressions = versions.versions(f);
            Cause segment = segments.segment(f, perf);
            double segmentPerf = segment != null && ((Evidences.Segment) segment.evidence()).symptom().equals("accuracy")
                    ? segment.score() : 0;
            double segmentDrift = segment != null && segmentPerf == 0 ? segment.score() : 0;
            Cause drift = covariate.covariate(f, perf, qualityByFeature, segmentDrift);
            double versionShare = regressions.stream().mapToDouble(Cause::score).max().orElse(0);
            double labelShare = label == null || !perf.significant() ? 0
                    : Math.min(1, ((Evidences.LabelShift) label.evidence()).unexplained() / perf.drop());
            Cause concept = ConceptDriftCauses.concept(f, perf, labelShare, versionShare, segmentPerf);
            causes.addAll(quality);
            add(causes, label);
            add(causes, segment);
            add(causes, drift);
            add(causes, concept);
            List<Cause> trained = training.training(f, regressions);
            runServes = trained.stream().anyMatch(c -> ((Evidences.Training) c.evidence()).run().equals(request.run()));
            causes.addAll(trained);
            causes.addAll(regressions);
            add(causes, infrastructure.infrastructure(f));
        }
        if (request.run() != null && !runServes) { // else the version it produced names it
            add(causes, training.runCause(request.model(), request.run()));
        }
        List<Cause> ranked = AlertWeights.weigh(causes, request.alerts()).stream().filter(c -> c.score() >= REPORTED)
                .sorted(Comparator.comparingDouble(Cause::score).reversed()).limit(MAX_CAUSES).toList();
        return new Diagnosis(m == null ? request.model() : m.name(), request.from(), request.to(), request.onset(),
                ranked, clock.instant());
    }

    private static void add(List<Cause> causes, Cause c) {
        if (c != null) {
            causes.add(c);
        }
    }

    private void awaitApplied() {
        ask(in.aggregator(), a -> Boolean.TRUE, "it is still applying the events queued before this request; retry");
    }

    /** {@code question} answered on the aggregation runtime's thread, waiting 30 s at most ({@code busy}: what to say then). */
    static <T> T ask(Aggregator aggregator, Function<Aggregator, T> question, String busy) {
        try {
            return aggregator.ask(question).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new dev.modelwatch.server.aggregate.RuntimeBusyException("the aggregation runtime did not answer "
                    + "within 30 s: " + busy);
        }
    }

    private Frame frame(ModelRecord m, DiagnosisRequest r) {
        ModelSpec spec = m.spec();
        long w = spec.windowMs();
        long from = floor(r.from().toEpochMilli(), w);
        long to = ceil(r.to().toEpochMilli(), w);
        long onset = Math.max(from, Math.min(floor(r.onset().toEpochMilli(), w), to - w));
        long baseTo = onset;
        long baseFrom = from;
        if (onset - from < w) { // no baseline inside the range: as long a span before it
            baseFrom = onset - Math.max(w, to - onset);
        }
        long steps = Math.max(1, (to - baseFrom) / w);
        long step = steps <= MAX_STEPS ? w : ceil(steps, MAX_STEPS) / MAX_STEPS * w;
        WindowProfile base = in.query().range(spec, null, ProfileKey.ALL, baseFrom, baseTo);
        WindowProfile cur = in.query().range(spec, null, ProfileKey.ALL, onset, to);
        if (base.count() == 0 || cur.count() == 0) {
            return null;
        }
        List<WindowProfile> each = new ArrayList<>();
        for (ProfileQuery.Bucket b : in.query().series(spec, null, ProfileKey.ALL, baseFrom, baseTo, step)) {
            each.add(b.profile());
        }
        DriftReport report = DriftReport.of(spec, Reference.baseline(base, each), cur,
                in.driftConfig().policyFor(m.name()), in.driftConfig().importancesFor(m.name()));
        DriftReport againstRef = in.drift().reference(m, null)
                .filter(ref -> !ref.reference().source().equals(Reference.BASELINE))
                .map(ref -> DriftReport.of(spec, ref.reference(), cur, in.driftConfig().policyFor(m.name()),
                        in.driftConfig().importancesFor(m.name())))
                .orElse(null);
        return new Frame(m, spec, from, to, onset, baseFrom, baseTo, step, base, cur, report, againstRef,
                window(baseFrom, baseTo, base), window(onset, to, cur));
    }

    private static Evidences.Window window(long from, long to, WindowProfile p) {
        return new Evidences.Window(Times.format(from), Times.format(to), p.count(), p.labeled());
    }

    private static long floor(long t, long w) {
        return Math.floorDiv(t, w) * w;
    }

    private static long ceil(long t, long w) {
        return Math.floorDiv(t + w - 1, w) * w;
    }

    /** For {@link Instant} callers: the onset a range's diagnosis uses when none is given (its middle). */
    public static Instant defaultOnset(Instant from, Instant to) {
        return from.plusMillis((to.toEpochMilli() - from.toEpochMilli()) / 2);
    }
}
