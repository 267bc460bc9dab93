package dev.modelwatch.server.diagnosis;

import dev.modelwatch.core.drift.FeatureDrift;
import dev.modelwatch.core.drift.Reference;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.core.quality.DataQualityCheck;
import dev.modelwatch.core.quality.DataQualityIssue;
import dev.modelwatch.core.quality.ProfiledWindow;
import dev.modelwatch.core.training.RunState;
import dev.modelwatch.core.training.TrainingProblem;
import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.agent.ResourceMetrics;
import dev.modelwatch.server.drift.DriftConfig;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.server.training.TrainingRuns;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.math3.distribution.NormalDistribution;

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
 */
public final class ProfileDiagnoser implements Diagnoser {
    /** A cause at or above this score is "probable" (docs/diagnosis.md); clean traffic stays below it. */
    public static final double PROBABLE = 0.5;
    /** Causes scoring below this are left out of the answer. */
    public static final double REPORTED = 0.05;
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
    private static final int MAX_STEPS = 240;
    private static final int MAX_SEGMENT_VALUES = 64;
    private static final int MAX_CAUSES = 10;

    /** What the diagnosis reads. */
    public record Sources(ModelRegistry models, Aggregator aggregator, ProfileQuery query, DriftService drift,
                          DriftConfig driftConfig, Store store, TrainingRuns runs) {
    }

    private final Sources in;
    private final Clock clock;

    public ProfileDiagnoser(Sources sources, Clock clock) {
        this.in = sources;
        this.clock = clock;
    }

    /** The spans compared and the merged profiles of all traffic in them. */
    private record Frame(ModelRecord model, ModelSpec spec, long from, long to, long onset, long baseFrom, long baseTo,
                         long step, WindowProfile base, WindowProfile cur, DriftService.Report report,
                         DriftService.Report againstReference, Evidences.Window baseWindow, Evidences.Window curWindow) {
    }

    /** A performance change: the drop, its p-value, and the errors in excess of the baseline's rate. */
    private record Perf(String metric, Double before, Double after, double drop, double p) {
        boolean significant() {
            return drop > 0.02 && p < 0.01;
        }
    }

    @Override
    public Diagnosis diagnose(DiagnosisRequest request) {
        awaitApplied();
        ModelRecord m = in.models().get(request.model())
                .orElseThrow(() -> new NoSuchElementException("unknown model '" + request.model() + "'"));
        Frame f = frame(m, request);
        List<Cause> causes = new ArrayList<>();
        if (f != null) {
            Perf perf = perf(f);
            List<Cause> quality = dataQuality(f);
            Map<String, Double> qualityByFeature = new HashMap<>();
            quality.forEach(c -> qualityByFeature.merge(c.feature(), c.score(), Math::max));
            Cause label = labelShift(f);
            List<Cause> versions = versions(f);
            Cause segment = segment(f, perf);
            double segmentPerf = segment != null && ((Evidences.Segment) segment.evidence()).symptom().equals("accuracy")
                    ? segment.score() : 0;
            double segmentDrift = segment != null && segmentPerf == 0 ? segment.score() : 0;
            Cause covariate = covariate(f, perf, qualityByFeature, segmentDrift);
            double versionShare = versions.stream().mapToDouble(Cause::score).max().orElse(0);
            double labelShare = label == null || !perf.significant() ? 0
                    : Math.min(1, ((Evidences.LabelShift) label.evidence()).unexplained() / perf.drop());
            Cause concept = concept(f, perf, labelShare, versionShare, segmentPerf);
            causes.addAll(quality);
            add(causes, label);
            add(causes, segment);
            add(causes, covariate);
            add(causes, concept);
            causes.addAll(training(f, versions));
            causes.addAll(versions);
            add(causes, infrastructure(f));
        }
        if (request.run() != null) {
            add(causes, runCause(request.model(), request.run()));
        }
        List<Cause> ranked = AlertWeights.weigh(causes, request.alerts()).stream().filter(c -> c.score() >= REPORTED)
                .sorted(Comparator.comparingDouble(Cause::score).reversed()).limit(MAX_CAUSES).toList();
        return new Diagnosis(m.name(), request.from(), request.to(), request.onset(), ranked, clock.instant());
    }

    private static void add(List<Cause> causes, Cause c) {
        if (c != null) {
            causes.add(c);
        }
    }

    private void awaitApplied() {
        try {
            in.aggregator().ask(a -> Boolean.TRUE).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new dev.modelwatch.server.aggregate.RuntimeBusyException("the aggregation runtime did not answer "
                    + "within 30 s: it is still applying the events queued before this request; retry");
        }
    }

    // ---- the frame -------------------------------------------------------------------------------

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
        DriftService.Report report = DriftService.Report.of(spec, Reference.baseline(base, each), cur,
                in.driftConfig().policyFor(m.name()), in.driftConfig().importancesFor(m.name()));
        DriftService.Report againstRef = in.drift().reference(m, null)
                .filter(ref -> !ref.reference().source().equals(Reference.BASELINE))
                .map(ref -> DriftService.Report.of(spec, ref.reference(), cur, in.driftConfig().policyFor(m.name()),
                        in.driftConfig().importancesFor(m.name())))
                .orElse(null);
        return new Frame(m, spec, from, to, onset, baseFrom, baseTo, step, base, cur, report, againstRef,
                window(baseFrom, baseTo, base), window(onset, to, cur));
    }

    private static Evidences.Window window(long from, long to, WindowProfile p) {
        return new Evidences.Window(Times.format(from), Times.format(to), p.count(), p.labeled());
    }

    // ---- performance -----------------------------------------------------------------------------

    private static Perf perf(Frame f) {
        Map<String, Double> against = f.report().againstReference();
        if (f.spec().task() == ModelTask.REGRESSION) {
            Double ratio = against.get("rmse_ratio");
            return ratio == null ? new Perf("rmse_ratio", null, null, 0, 1)
                    : new Perf("rmse_ratio", 1.0, ratio, ratio - 1, against.getOrDefault("rmse_ratio_p_value", 1.0));
        }
        long[] b = correct(f.base().confusion());
        long[] c = correct(f.cur().confusion());
        if (b[1] < 30 || c[1] < 30) {
            return new Perf("accuracy", null, null, 0, 1);
        }
        double pv = against.getOrDefault("accuracy_drop_p_value", 1.0);
        double before = (double) b[0] / b[1];
        double after = (double) c[0] / c[1];
        return new Perf("accuracy", before, after, before - after, Double.isNaN(pv) ? 1 : pv);
    }

    /** {correct, labelled} of a confusion matrix (actual → predicted → count). */
    private static long[] correct(Map<String, Map<String, Long>> confusion) {
        long correct = 0;
        long total = 0;
        for (Map.Entry<String, Map<String, Long>> row : confusion.entrySet()) {
            for (Map.Entry<String, Long> cell : row.getValue().entrySet()) {
                total += cell.getValue();
                correct += cell.getKey().equals(row.getKey()) ? cell.getValue() : 0;
            }
        }
        return new long[] {correct, total};
    }

    /** How convincing a p-value is: 0 at p = 1, 0.5 at p = 0.01, 1 at p <= 1e-4 ({@code -log10(p) / 4}). */
    static double confidence(double p) {
        if (!(p >= 0)) {
            return 0;
        }
        return clamp(-Math.log10(Math.max(p, 1e-300)) / 4);
    }

    static double clamp(double v) {
        return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    }

    private static double twoSidedP(double z) {
        return 2 * (1 - NORMAL.cumulativeProbability(Math.abs(z)));
    }

    // ---- covariate drift -------------------------------------------------------------------------

    private Cause covariate(Frame f, Perf perf, Map<String, Double> qualityByFeature, double segmentScore) {
        Map<String, Double> importances = in.driftConfig().importancesFor(f.model().name());
        List<FeatureDrift> drifted = f.report().features().values().stream().filter(FeatureDrift::drifted).toList();
        if (drifted.isEmpty()) {
            return null;
        }
        double total = 0;
        Map<String, Double> weight = new HashMap<>();
        for (FeatureDrift d : drifted) {
            double wgt = importances.getOrDefault(d.feature(), 1.0) * magnitude(d);
            weight.put(d.feature(), wgt);
            total += wgt;
        }
        double explained = 1;
        Double estDrop = f.report().againstReference().get("estimated_accuracy_drop");
        if (perf.significant() && "accuracy".equals(perf.metric())) {
            explained = estDrop == null ? 0 : clamp(estDrop / perf.drop());
        }
        List<Evidences.FeatureShift> shifts = new ArrayList<>();
        double score = 0;
        for (FeatureDrift d : drifted) {
            double p = d.adjustedPValue() != null ? d.adjustedPValue() : d.pValue() != null ? d.pValue() : 0;
            double strength = confidence(p) * clamp(magnitude(d));
            double share = total == 0 ? 0 : weight.get(d.feature()) / total;
            // a feature whose change is a pipeline fault is explained by that fault, not by drift
            score += share * strength * (1 - qualityByFeature.getOrDefault(d.feature(), 0.0));
            Boolean fromRef = null;
            if (f.againstReference() != null && f.againstReference().features().get(d.feature()) != null) {
                fromRef = f.againstReference().features().get(d.feature()).drifted();
            }
            shifts.add(new Evidences.FeatureShift(d.feature(), d.method().wireName(), d.value(), d.statistics().psi(),
                    d.adjustedPValue(), strength, share, fromRef));
        }
        shifts.sort(Comparator.comparingDouble((Evidences.FeatureShift s) -> s.share() * s.strength()).reversed());
        score = clamp(score * (1 - segmentScore));
        Double outputPsi = f.report().score() != null ? f.report().score().statistics().psi()
                : f.report().output() != null ? f.report().output().statistics().psi() : null;
        Evidences.FeatureShift top = shifts.get(0);
        String summary = String.format(java.util.Locale.ROOT,
                "%d feature(s) drifted after the onset; %s most (PSI %s, %.0f%% of the input drift)%s",
                shifts.size(), top.feature(), fmt(top.psi()), 100 * top.share(),
                perf.significant() ? String.format(java.util.Locale.ROOT, "; the inputs account for %.0f%% of the %s drop",
                        100 * explained, perf.metric()) : "");
        return new Cause(CauseKind.COVARIATE_DRIFT, score, top.feature(), null, null, summary,
                new Evidences.CovariateDrift(f.baseWindow(), f.curWindow(), shifts, explained, outputPsi),
                List.of(new SuggestedAction("investigate", "find why the inputs of " + top.feature()
                                + " changed upstream (a new source, a population change)"),
                        new SuggestedAction("retrain", "retrain on recent data if the new distribution is here to stay")),
                "strength x share: per drifted feature (BH-adjusted), confidence(adjusted p) x min(1, PSI / 0.25) "
                        + "weighted by its share of importance x PSI; minus the part a data-quality fault of the "
                        + "feature or a segment explains");
    }

    /** How large a feature's drift is, 1 at a PSI of 0.25 (or at twice the critical value without PSI). */
    private static double magnitude(FeatureDrift d) {
        Double psi = d.statistics().psi();
        if (psi != null && Double.isFinite(psi)) {
            return Math.min(1, psi / 0.25);
        }
        if (d.value() != null && d.criticalValue() != null && d.criticalValue() > 0) {
            return Math.min(1, 0.5 * d.value() / d.criticalValue());
        }
        return 0.5;
    }

    private static String fmt(Double v) {
        return v == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    // ---- data quality ----------------------------------------------------------------------------

    private static final Map<DataQualityIssue.Kind, String> SERIES = Map.of(
            DataQualityIssue.Kind.MISSING_RATE, "missing_rate",
            DataQualityIssue.Kind.TYPE_MISMATCH, "type_mismatch_rate",
            DataQualityIssue.Kind.NON_FINITE, "non_finite_rate",
            DataQualityIssue.Kind.OUT_OF_RANGE, "out_of_range_fraction",
            DataQualityIssue.Kind.NEW_CATEGORY, "new_category_share",
            DataQualityIssue.Kind.SCORE_OUT_OF_RANGE, "score_out_of_range_fraction",
            DataQualityIssue.Kind.SCHEMA, "missing_rate",
            DataQualityIssue.Kind.CONSTANT, "missing_rate");

    private List<Cause> dataQuality(Frame f) {
        Map<String, List<DataQualityIssue>> byFeature = new TreeMap<>();
        for (DataQualityIssue i : f.report().dataQuality()) {
            byFeature.computeIfAbsent(i.feature(), k -> new ArrayList<>()).add(i);
        }
        if (byFeature.isEmpty()) {
            return List.of();
        }
        ProfiledWindow baseWindow = ProfiledWindow.of(f.base());
        List<ProfileQuery.Bucket> buckets = in.query().series(f.spec(), null, ProfileKey.ALL, f.baseFrom(), f.to(),
                f.step());
        List<Map<String, Double>> perStep = new ArrayList<>();
        for (ProfileQuery.Bucket b : buckets) {
            Map<String, Double> values = new HashMap<>();
            for (var v : DataQualityCheck.metrics(baseWindow, ProfiledWindow.of(b.profile()))) {
                values.put(v.name() + '\u0000' + v.labels().get("feature"), v.value());
            }
            perStep.add(values);
        }
        List<Cause> out = new ArrayList<>();
        for (Map.Entry<String, List<DataQualityIssue>> e : byFeature.entrySet()) {
            String feature = e.getKey();
            double magnitude = 0;
            DataQualityIssue worst = null;
            List<Evidences.QualityIssue> issues = new ArrayList<>();
            for (DataQualityIssue i : e.getValue()) {
                double mag = issueMagnitude(i);
                if (mag > magnitude || worst == null) {
                    magnitude = Math.max(magnitude, mag);
                    worst = i;
                }
                issues.add(new Evidences.QualityIssue(i.issue().wireName(), i.reference(), i.value(), i.message()));
            }
            String series = SERIES.get(worst.issue());
            double[] values = new double[buckets.size()];
            long[] starts = new long[buckets.size()];
            for (int k = 0; k < buckets.size(); k++) {
                Double v = perStep.get(k).get(series + '\u0000' + feature);
                values[k] = v == null || !Double.isFinite(v) ? (worst.issue() == DataQualityIssue.Kind.SCHEMA ? 1 : 0) : v;
                starts[k] = buckets.get(k).startMs();
            }
            double[] jump = abruptness(values, starts, f.onset());
            double abrupt = jump[0];
            double score = clamp(magnitude * (0.4 + 0.6 * abrupt));
            List<String> others = byFeature.keySet().stream().filter(n -> !n.equals(feature)).toList();
            String name = feature.equals(DataQualityIssue.OUTPUT) ? "the prediction"
                    : feature.equals(DataQualityIssue.SCORE) ? "the score" : "feature " + feature;
            String startedAt = Double.isNaN(jump[1]) ? null : Times.format((long) jump[1]);
            out.add(new Cause(CauseKind.DATA_QUALITY, score, feature, null, null,
                    String.format(java.util.Locale.ROOT, "%s: %s (%s); %s", name, worst.issue().wireName(),
                            worst.message(), abrupt >= 0.5 ? "it started abruptly at " + startedAt
                                    : "it grew gradually"),
                    new Evidences.DataQuality(f.baseWindow(), f.curWindow(), feature, issues, series, startedAt, abrupt,
                            others),
                    List.of(new SuggestedAction("fix_pipeline", "repair the producer of " + name
                                    + " (a deploy, a schema or unit change, a failing join)"),
                            new SuggestedAction("investigate", "check the data pipeline's changes around " + startedAt)),
                    "magnitude x (0.4 + 0.6 x abruptness): magnitude of the worst issue, min(1, |rate change| / "
                            + "0.1) (out_of_range and new_category: (change - 0.1) / 0.4; schema and constant: 1), "
                            + "abruptness the largest two-step jump of its per-step series over the whole rise"));
        }
        out.sort(Comparator.comparingDouble(Cause::score).reversed());
        return out.size() > 3 ? out.subList(0, 3) : out;
    }

    /**
     * How large an issue is, 0..1. Missing values, NaN, type errors, schema changes and constant
     * values are faults whatever their cause: 1 at a rate change of 0.1. Out-of-range values and new
     * categories are also what a large drift looks like (a shift of 4 sd puts a quarter of the values
     * outside the baseline's range): they count from 10% of the values on, fully at 50% (a unit change
     * puts all of them outside).
     */
    private static double issueMagnitude(DataQualityIssue i) {
        double v = i.value() == null ? 0 : i.value();
        double r = i.reference() == null ? 0 : i.reference();
        double change = Math.abs(v - r);
        return switch (i.issue()) {
            case SCHEMA, CONSTANT -> 1;
            case OUT_OF_RANGE, NEW_CATEGORY -> clamp((change - 0.1) / 0.4);
            default -> clamp(change / 0.1);
        };
    }

    /**
     * {abruptness, start}: the largest rise between the means of two steps before and two after a
     * point, over the rise from the mean before the onset to the mean after it.
     */
    static double[] abruptness(double[] x, long[] starts, long onset) {
        double before = 0;
        double after = 0;
        int nb = 0;
        int na = 0;
        for (int k = 0; k < x.length; k++) {
            if (starts[k] < onset) {
                before += x[k];
                nb++;
            } else {
                after += x[k];
                na++;
            }
        }
        if (nb == 0 || na == 0) {
            return new double[] {1, na > 0 ? starts[0] : Double.NaN};
        }
        double rise = after / na - before / nb;
        if (Math.abs(rise) < 1e-12) {
            return new double[] {0, Double.NaN};
        }
        double best = 0;
        double at = Double.NaN;
        for (int k = 1; k < x.length; k++) {
            double pre = mean(x, Math.max(0, k - 2), k);
            double post = mean(x, k, Math.min(x.length, k + 2));
            double j = (post - pre) / rise;
            if (j > best) {
                best = j;
                at = starts[k];
            }
        }
        return new double[] {clamp(best), at};
    }

    private static double mean(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s / Math.max(1, to - from);
    }

    // ---- label / prior shift ---------------------------------------------------------------------

    private static Cause labelShift(Frame f) {
        if (f.spec().task() == ModelTask.REGRESSION) {
            return null;
        }
        Map<String, Map<String, Long>> cb = f.base().confusion();
        Map<String, Map<String, Long>> cc = f.cur().confusion();
        long nb = correct(cb)[1];
        long nc = correct(cc)[1];
        if (nb < 30 || nc < 30) {
            return null;
        }
        Set<String> classes = new TreeSet<>(cb.keySet());
        classes.addAll(cc.keySet());
        boolean binary = f.spec().task() == ModelTask.BINARY_CLASSIFICATION && f.base().score() != null
                && f.cur().score() != null;
        String best = null;
        double bestU = 0;
        double lb = 0;
        double lc = 0;
        double expected = 0;
        for (String c : classes) {
            double labelB = rowShare(cb, c, nb);
            double labelC = rowShare(cc, c, nc);
            double exp;
            if (binary) {
                double meanB = f.base().score().mean();
                double meanC = f.cur().score().mean();
                exp = c.equals(f.spec().positiveClass()) ? meanC - meanB : meanB - meanC;
            } else {
                exp = columnShare(cc, c, nc) - columnShare(cb, c, nb);
            }
            double u = (labelC - labelB) - exp;
            if (best == null || Math.abs(u) > Math.abs(bestU)) {
                best = c;
                bestU = u;
                lb = labelB;
                lc = labelC;
                expected = exp;
            }
            if (binary && classes.size() <= 2) {
                // both classes of a binary model move together: the positive one is named
                if (c.equals(f.spec().positiveClass())) {
                    best = c;
                    bestU = u;
                    lb = labelB;
                    lc = labelC;
                    expected = exp;
                    break;
                }
            }
        }
        if (best == null) {
            return null;
        }
        double se = Math.sqrt(Math.max(lb * (1 - lb), 1e-9) / nb + Math.max(lc * (1 - lc), 1e-9) / nc);
        double p = twoSidedP(bestU / se);
        double strength = confidence(p) * clamp(Math.abs(bestU) / 0.1);
        return new Cause(CauseKind.LABEL_SHIFT, strength, null, null, null,
                String.format(java.util.Locale.ROOT, "the share of class %s among the labels moved from %.1f%% to %.1f%% "
                        + "while the model's outputs account for %+.1f points (p = %.2g)", best, 100 * lb, 100 * lc,
                        100 * expected, p),
                new Evidences.LabelShift(f.baseWindow(), f.curWindow(), best, lb, lc, expected, Math.abs(bestU), p,
                        "labels"),
                List.of(new SuggestedAction("investigate", "check whether the population's class balance or the "
                                + "labelling process changed"),
                        new SuggestedAction("retrain", "recalibrate or retrain for the new class balance")),
                "confidence(p) x min(1, |unexplained shift| / 0.1): the label share's change minus the change the "
                        + "model's outputs account for (mean score, or predicted share), tested as two proportions");
    }

    private static double rowShare(Map<String, Map<String, Long>> confusion, String c, long n) {
        Map<String, Long> row = confusion.get(c);
        return row == null ? 0 : row.values().stream().mapToLong(Long::longValue).sum() / (double) n;
    }

    private static double columnShare(Map<String, Map<String, Long>> confusion, String c, long n) {
        long s = 0;
        for (Map<String, Long> row : confusion.values()) {
            s += row.getOrDefault(c, 0L);
        }
        return s / (double) n;
    }

    // ---- concept drift ---------------------------------------------------------------------------

    private static Cause concept(Frame f, Perf perf, double labelShare, double versionShare, double segmentShare) {
        if (!perf.significant()) {
            return null;
        }
        Double estDrop = f.report().againstReference().get("estimated_accuracy_drop");
        double inputs = "accuracy".equals(perf.metric()) && estDrop != null ? clamp(estDrop / perf.drop()) : 0;
        double elsewhere = 1 - (1 - inputs) * (1 - labelShare) * (1 - versionShare) * (1 - segmentShare);
        double strength = confidence(perf.p()) * clamp(perf.drop() / 0.1);
        double score = clamp(strength * (1 - elsewhere));
        return new Cause(CauseKind.CONCEPT_DRIFT, score, null, null, null,
                String.format(java.util.Locale.ROOT, "%s fell from %s to %s (p = %.2g) while the inputs account for "
                        + "%.0f%% of it: the relation between inputs and labels changed", perf.metric(),
                        fmt(perf.before()), fmt(perf.after()), perf.p(), 100 * inputs),
                new Evidences.ConceptDrift(f.baseWindow(), f.curWindow(), perf.metric(), perf.before(), perf.after(),
                        perf.drop(), perf.p(), estDrop, elsewhere),
                List.of(new SuggestedAction("retrain", "retrain on recent labelled data: the old relation no longer holds"),
                        new SuggestedAction("investigate", "check for a change in what the labels mean")),
                "confidence(p of the drop) x min(1, drop / 0.1) x (1 - share explained elsewhere): the inputs' share "
                        + "is the estimated drop (from scores) over the realized one; label shift, version and "
                        + "segment shares are combined as 1 - product(1 - share)");
    }

    // ---- segments --------------------------------------------------------------------------------

    private Map<String, Set<String>> segments(String model) {
        try {
            return in.aggregator().ask(a -> a.admittedSegments(model)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new dev.modelwatch.server.aggregate.RuntimeBusyException("the aggregation runtime did not answer "
                    + "within 30 s; retry");
        }
    }

    private Cause segment(Frame f, Perf perf) {
        String symptomFeature = null;
        if (!perf.significant() || !"accuracy".equals(perf.metric())) {
            FeatureDrift top = f.report().features().values().stream()
                    .filter(d -> d.drifted() && f.base().features().get(d.feature()) != null
                            && f.base().features().get(d.feature()).isNumerical())
                    .max(Comparator.comparingDouble(ProfileDiagnoser::magnitude)).orElse(null);
            if (top == null) {
                return null;
            }
            symptomFeature = top.feature();
        }
        Cause best = null;
        for (Map.Entry<String, Set<String>> key : segments(f.model().name()).entrySet()) {
            List<String> values = key.getValue().stream().sorted().limit(MAX_SEGMENT_VALUES).toList();
            if (values.size() < 2) {
                continue;
            }
            Cause c = segmentOf(f, key.getKey(), values, symptomFeature);
            if (c != null && (best == null || c.score() > best.score())) {
                best = c;
            }
        }
        return best;
    }

    private Cause segmentOf(Frame f, String key, List<String> values, String feature) {
        int n = values.size();
        double[] excess = new double[n];
        double[] traffic = new double[n];
        double[] before = new double[n];
        double[] after = new double[n];
        double[] p = new double[n];
        double[] effect = new double[n];
        double totalTraffic = 0;
        for (int i = 0; i < n; i++) {
            String seg = ProfileKey.segment(key, values.get(i));
            WindowProfile b = in.query().range(f.spec(), null, seg, f.baseFrom(), f.baseTo());
            WindowProfile c = in.query().range(f.spec(), null, seg, f.onset(), f.to());
            traffic[i] = c.count();
            totalTraffic += c.count();
            if (feature == null) {
                long[] cb = correct(b.confusion());
                long[] cc = correct(c.confusion());
                if (cb[1] < 30 || cc[1] < 30) {
                    before[i] = Double.NaN;
                    after[i] = Double.NaN;
                    p[i] = 1;
                    continue;
                }
                before[i] = (double) cb[0] / cb[1];
                after[i] = (double) cc[0] / cc[1];
                excess[i] = (cc[1] - cc[0]) - cc[1] * (1 - before[i]);
                var change = dev.modelwatch.core.metrics.PerformanceChange.accuracyDrop(cb[0], cb[1], cc[0], cc[1]);
                p[i] = change.pValue();
                effect[i] = clamp((before[i] - after[i]) / 0.1);
            } else {
                FeatureProfile fb = b.features().get(feature);
                FeatureProfile fc = c.features().get(feature);
                if (fb == null || fc == null || fb.numericCount() < 30 || fc.numericCount() < 30) {
                    before[i] = Double.NaN;
                    after[i] = Double.NaN;
                    p[i] = 1;
                    continue;
                }
                double sd = Math.max(fb.std(), 1e-12);
                before[i] = fb.mean();
                after[i] = fc.mean();
                double shift = Math.abs(after[i] - before[i]) / sd;
                excess[i] = fc.numericCount() * shift;
                double se = Math.sqrt(fb.std() * fb.std() / fb.numericCount() + fc.std() * fc.std() / fc.numericCount());
                p[i] = twoSidedP((after[i] - before[i]) / Math.max(se, 1e-12));
                effect[i] = clamp(shift / 0.5);
            }
        }
        double positive = 0;
        for (double e : excess) {
            positive += Math.max(0, e);
        }
        if (positive <= 0 || totalTraffic == 0) {
            return null;
        }
        int top = 0;
        List<Evidences.SegmentPart> parts = new ArrayList<>();
        double[] share = new double[n];
        for (int i = 0; i < n; i++) {
            share[i] = Math.max(0, excess[i]) / positive;
            if (share[i] > share[top]) {
                top = i;
            }
            parts.add(new Evidences.SegmentPart(key + "=" + values.get(i), traffic[i] / totalTraffic, share[i],
                    Double.isNaN(before[i]) ? null : before[i], Double.isNaN(after[i]) ? null : after[i]));
        }
        parts.sort(Comparator.comparingDouble(Evidences.SegmentPart::changeShare).reversed());
        double t = traffic[top] / totalTraffic;
        double concentration = t >= 1 ? 0 : clamp((share[top] - t) / (1 - t));
        double strength = confidence(p[top]) * effect[top];
        double score = clamp(strength * concentration);
        String seg = key + "=" + values.get(top);
        String symptom = feature == null ? "accuracy" : "feature:" + feature;
        return new Cause(CauseKind.SEGMENT, score, feature, seg, null,
                String.format(java.util.Locale.ROOT, "%s holds %.0f%% of the change in %s with %.0f%% of the traffic "
                        + "(%s → %s)", seg, 100 * share[top], feature == null ? "accuracy" : "the mean of " + feature,
                        100 * t, fmt(Double.isNaN(before[top]) ? null : before[top]),
                        fmt(Double.isNaN(after[top]) ? null : after[top])),
                new Evidences.Segment(f.baseWindow(), f.curWindow(), symptom, concentration, p[top], parts),
                List.of(new SuggestedAction("investigate", "look at what changed for " + seg
                                + " (its data source, its population, its routing)"),
                        new SuggestedAction("shift_traffic", "route " + seg + " to a fallback until it is understood")),
                "confidence(p of the segment's own change) x min(1, effect) x concentration: effect is its accuracy "
                        + "drop / 0.1 (or the feature's mean shift / 0.5 sd); concentration is (its share of the "
                        + "change - its share of traffic) / (1 - its share of traffic)");
    }

    // ---- versions --------------------------------------------------------------------------------

    private record VersionData(String version, WindowProfile current, long firstMs, boolean inBaseline) {
    }

    private List<Cause> versions(Frame f) {
        List<VersionData> data = new ArrayList<>();
        for (String v : f.model().versions()) {
            WindowProfile c = in.query().range(f.spec(), v, ProfileKey.ALL, f.onset(), f.to());
            if (c.count() == 0) {
                continue;
            }
            long first = versionFirst(f, v);
            data.add(new VersionData(v, c, first, first < f.baseTo() - f.spec().windowMs()));
        }
        long tolerance = Math.max(2 * f.spec().windowMs(), (f.to() - f.from()) / 20);
        List<Cause> out = new ArrayList<>();
        for (VersionData v : data) {
            if (v.inBaseline() || v.firstMs() == Long.MAX_VALUE) {
                continue; // not new: it served before the onset
            }
            long gap = Math.abs(v.firstMs() - f.onset());
            double timing = gap <= tolerance ? 1 : Math.exp(-(gap - tolerance) / (double) Math.max(1, (f.to() - f.from()) / 4));
            long[] mine = correct(v.current().confusion());
            long correctO = 0;
            long totalO = 0;
            long eventsO = 0;
            long errorsO = 0;
            WindowProfile merged = new WindowProfile(SketchSettings.DEFAULT);
            for (VersionData o : data) {
                if (o != v) {
                    long[] c = correct(o.current().confusion());
                    correctO += c[0];
                    totalO += c[1];
                    eventsO += o.current().count();
                    errorsO += o.current().errors();
                    merged.merge(o.current());
                }
            }
            String compared = "same_period";
            Evidences.Window period = new Evidences.Window(Times.format(f.onset()), Times.format(f.to()),
                    f.cur().count(), f.cur().labeled());
            if (totalO < 30 && eventsO < 30) {
                long[] b = correct(f.base().confusion());
                correctO = b[0];
                totalO = b[1];
                eventsO = f.base().count();
                errorsO = f.base().errors();
                merged = f.base();
                compared = "before_onset";
            }
            Double drop = null;
            double pAcc = 1;
            double effect = 0;
            if (mine[1] >= 30 && totalO >= 30) {
                var change = dev.modelwatch.core.metrics.PerformanceChange.accuracyDrop(correctO, totalO, mine[0], mine[1]);
                drop = change.change();
                pAcc = change.pValue();
                effect = clamp(drop / 0.1);
            }
            double errMine = v.current().count() == 0 ? 0 : (double) v.current().errors() / v.current().count();
            double errOther = eventsO == 0 ? 0 : (double) errorsO / eventsO;
            double pErr = eventsO == 0 ? 1 : dev.modelwatch.core.quality.CountTests.fisherGreater(errorsO, eventsO,
                    v.current().errors(), v.current().count());
            double strengthAcc = confidence(pAcc) * effect;
            double strengthErr = confidence(pErr) * clamp((errMine - errOther) / 0.05);
            double strength = Math.max(strengthAcc, strengthErr);
            double p = strengthAcc >= strengthErr ? pAcc : pErr;
            // the version's share of the errors in excess of the baseline's rate, over the range's
            long[] all = correct(f.cur().confusion());
            long[] base = correct(f.base().confusion());
            double share = 1;
            if (drop != null && all[1] > 0 && base[1] > 0) {
                double baseErr = 1 - (double) base[0] / base[1];
                double excessAll = (all[1] - all[0]) - all[1] * baseErr;
                double excessMine = (mine[1] - mine[0]) - mine[1] * baseErr;
                share = excessAll <= 0 ? 1 : clamp(excessMine / excessAll);
            }
            double score = clamp(strength * timing * share);
            Evidences.VersionMetrics regressed = metrics(v.version(), v.current(), mine, v.firstMs());
            Evidences.VersionMetrics others = metrics(compared.equals("same_period") ? "others" : "before onset",
                    merged, new long[] {correctO, totalO}, Long.MAX_VALUE);
            out.add(new Cause(CauseKind.VERSION_REGRESSION, score, null, null, v.version(),
                    String.format(java.util.Locale.ROOT, "version %s, first seen %s (%ds from the onset): accuracy %s "
                            + "against %s, error rate %.2f%% against %.2f%% (%s)", v.version(),
                            Times.format(v.firstMs()), gap / 1000, fmt(regressed.accuracy()), fmt(others.accuracy()),
                            100 * errMine, 100 * errOther, compared.replace('_', ' ')),
                    new Evidences.VersionRegression(compared, period, regressed, others, drop, p, gap / 1000, timing,
                            share),
                    List.of(new SuggestedAction("rollback", "roll back to the previous version"),
                            new SuggestedAction("shift_traffic", "move traffic off version " + v.version())),
                    "confidence(p) x effect x timing x share: effect min(1, accuracy drop / 0.1) or min(1, error "
                            + "rate rise / 0.05) against the other versions over the same period; timing 1 when "
                            + "the first traffic is within max(2 windows, 5% of the range) of the onset; share of "
                            + "the range's excess errors"));
        }
        return out;
    }

    private static Evidences.VersionMetrics metrics(String name, WindowProfile p, long[] correct, long firstMs) {
        Double p95 = p.latency() == null || p.latency().isEmpty() ? null : p.latency().getQuantile(0.95);
        return new Evidences.VersionMetrics(name, p.count(), correct[1],
                correct[1] == 0 ? null : (double) correct[0] / correct[1],
                p.count() == 0 ? 0 : (double) p.errors() / p.count(), p95,
                firstMs == Long.MAX_VALUE ? null : Times.format(firstMs));
    }

    /** A version's first prediction from the examined range's start on (earlier traffic: before the range). */
    private long versionFirst(Frame f, String version) {
        long lookback = Math.max(f.spec().windowMs(), f.onset() - f.baseFrom());
        long from = f.baseFrom() - lookback;
        WindowProfile earlier = in.query().range(f.spec(), version, ProfileKey.ALL, from, f.baseFrom());
        if (earlier.count() > 0) {
            return earlier.minTimestampMs();
        }
        for (ProfileQuery.Bucket b : in.query().series(f.spec(), version, ProfileKey.ALL, f.baseFrom(), f.to(), f.step())) {
            if (b.profile().count() > 0) {
                return b.profile().minTimestampMs();
            }
        }
        return Long.MAX_VALUE;
    }

    // ---- training --------------------------------------------------------------------------------

    private List<Cause> training(Frame f, List<Cause> versions) {
        List<RunState> runs = in.runs().list(f.model().name());
        if (runs.isEmpty()) {
            return List.of();
        }
        List<Cause> out = new ArrayList<>();
        for (String version : f.model().versions()) {
            for (RunState run : runs) {
                if (run.problems().isEmpty() || !namesRun(version, run.run())) {
                    continue;
                }
                WindowProfile served = in.query().range(f.spec(), version, ProfileKey.ALL, f.onset(), f.to());
                if (served.count() == 0) {
                    continue;
                }
                Cause regression = versions.stream().filter(c -> version.equals(c.version())).findFirst().orElse(null);
                double severity = severity(run.problems());
                double timing = regression == null ? 0.5
                        : ((Evidences.VersionRegression) regression.evidence()).timing();
                double own = severity * Math.max(0.5, timing);
                double score = regression == null ? own : 1 - (1 - own) * (1 - regression.score());
                out.add(trainingCause(run, version, clamp(score), regression == null ? null : regression.score()));
            }
        }
        return out;
    }

    /** Whether a version's name names a run: equal, or the run's name as one of its parts. */
    static boolean namesRun(String version, String run) {
        if (version.equals(run)) {
            return true;
        }
        if (run.length() < 3) {
            return false;
        }
        int at = version.indexOf(run);
        while (at >= 0) {
            boolean startOk = at == 0 || !Character.isLetterOrDigit(version.charAt(at - 1));
            int end = at + run.length();
            boolean endOk = end == version.length() || !Character.isLetterOrDigit(version.charAt(end));
            if (startOk && endOk) {
                return true;
            }
            at = version.indexOf(run, at + 1);
        }
        return false;
    }

    private static double severity(List<TrainingProblem> problems) {
        double none = 1;
        for (TrainingProblem p : problems) {
            none *= 1 - (TrainingProblem.CRITICAL.equals(p.severity()) ? 0.8 : 0.4);
        }
        return clamp(1 - none);
    }

    private Cause runCause(String model, String run) {
        return in.runs().get(model, run).filter(s -> !s.problems().isEmpty())
                .map(s -> trainingCause(s, null, severity(s.problems()), null)).orElse(null);
    }

    private static Cause trainingCause(RunState run, String version, double score, Double versionScore) {
        List<Evidences.RunProblem> problems = run.problems().stream().map(p -> new Evidences.RunProblem(p.kind(),
                p.severity(), p.step(), p.metric(), p.message())).toList();
        TrainingProblem first = run.problems().stream()
                .filter(p -> TrainingProblem.CRITICAL.equals(p.severity())).findFirst().orElse(run.problems().get(0));
        String summary = version == null
                ? String.format("training run %s: %s at step %d (%s)", run.run(), first.kind(), first.step(), first.message())
                : String.format("version %s comes from training run %s, which had %s at step %d", version, run.run(),
                        first.kind(), first.step());
        List<SuggestedAction> actions = version == null
                ? List.of(new SuggestedAction("stop_run", "stop run " + run.run() + ": it is wasting its resources"),
                        new SuggestedAction("investigate", "check " + first.metric() + " around step " + first.step()))
                : List.of(new SuggestedAction("rollback", "roll back from version " + version
                                + ": its training run had problems"),
                        new SuggestedAction("retrain", "retrain once " + first.kind() + " is fixed"));
        return new Cause(CauseKind.TRAINING, score, null, null, version, summary,
                new Evidences.Training(run.run(), run.status().wireName(), version, problems, versionScore), actions,
                "severity = 1 - product over problems of (1 - 0.8 critical, 0.4 warning); for a production version "
                        + "that names the run, severity x max(0.5, timing) combined with the version regression's "
                        + "score as 1 - (1 - a)(1 - b)");
    }

    // ---- infrastructure --------------------------------------------------------------------------

    private Cause infrastructure(Frame f) {
        List<ProfileQuery.Bucket> buckets = in.query().series(f.spec(), null, ProfileKey.ALL, f.baseFrom(), f.to(),
                f.step());
        if (buckets.size() < 4) {
            return null;
        }
        int n = buckets.size();
        double[] latency = new double[n];
        double[] errors = new double[n];
        double[] traffic = new double[n];
        long[] starts = new long[n];
        for (int k = 0; k < n; k++) {
            WindowProfile p = buckets.get(k).profile();
            latency[k] = p.latency() == null || p.latency().isEmpty() ? Double.NaN : p.latency().getQuantile(0.95);
            errors[k] = p.count() == 0 ? 0 : (double) p.errors() / p.count();
            traffic[k] = p.count();
            starts[k] = buckets.get(k).startMs();
        }
        double latB = f.base().latency() == null || f.base().latency().isEmpty() ? Double.NaN
                : f.base().latency().getQuantile(0.95);
        double latC = f.cur().latency() == null || f.cur().latency().isEmpty() ? Double.NaN
                : f.cur().latency().getQuantile(0.95);
        double latencyStrength = Double.isFinite(latB) && Double.isFinite(latC) && latB > 0 ? clamp(latC / latB - 1) : 0;
        double errB = (double) f.base().errors() / f.base().count();
        double errC = (double) f.cur().errors() / f.cur().count();
        double errP = dev.modelwatch.core.quality.CountTests.fisherGreater(f.base().errors(), f.base().count(),
                f.cur().errors(), f.cur().count());
        double errorStrength = confidence(errP) * clamp((errC - errB) / 0.05);
        boolean byLatency = latencyStrength >= errorStrength;
        double symptomStrength = Math.max(latencyStrength, errorStrength);
        if (symptomStrength < 0.05) {
            return null;
        }
        double[] symptom = byLatency ? latency : errors;
        List<Evidences.ResourceSeries> resources = new ArrayList<>();
        Map<Long, Integer> stepAt = new HashMap<>(); // steps without predictions are not in the series
        for (int k = 0; k < n; k++) {
            stepAt.put(starts[k], k);
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (ResourceMetrics.Load load : ResourceMetrics.LOADS) {
            Map<String, Double> totals = new HashMap<>(); // series -> its largest total in the range
            if (load.total() != null) {
                for (MetricEvent e : in.store().metricEvents(load.total(), f.baseFrom(), f.to())) {
                    if (servesModel(e, f) && Double.isFinite(e.value()) && e.value() > 0) {
                        totals.merge(seriesKey(load.metric(), e), e.value(), Math::max);
                    }
                }
            }
            for (MetricEvent e : in.store().metricEvents(load.metric(), f.baseFrom(), f.to())) {
                if (!servesModel(e, f) || !Double.isFinite(e.value())) {
                    continue;
                }
                Integer k = stepAt.get(Math.floorDiv(e.timestampMs(), f.step()) * f.step());
                if (k == null) {
                    continue;
                }
                String key = seriesKey(load.metric(), e);
                double percent = e.value();
                if (load.total() != null) {
                    Double total = totals.get(key);
                    if (total == null) {
                        continue;
                    }
                    percent = 100 * e.value() / total;
                }
                double[] s = sums.computeIfAbsent(key, x -> new double[2 * n]);
                s[k] += percent;
                s[n + k] += 1;
            }
        }
        double best = 0;
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] s = e.getValue();
            double[] series = new double[n];
            double before = 0;
            double after = 0;
            int nb = 0;
            int na = 0;
            int saturated = 0;
            for (int k = 0; k < n; k++) {
                series[k] = s[n + k] == 0 ? Double.NaN : s[k] / s[n + k];
                if (Double.isNaN(series[k])) {
                    continue;
                }
                if (starts[k] < f.onset()) {
                    before += series[k];
                    nb++;
                } else {
                    after += series[k];
                    na++;
                    saturated += series[k] >= 90 ? 1 : 0;
                }
            }
            if (nb == 0 || na == 0) {
                continue;
            }
            before /= nb;
            after /= na;
            double r = pearson(series, symptom);
            double sat = (double) saturated / na;
            double association = Math.max(0, r) * clamp(Math.max(2 * sat, (after - before) / 30));
            best = Math.max(best, association);
            String[] parts = e.getKey().split("\u0000", 3);
            resources.add(new Evidences.ResourceSeries(parts[0], parts[1].isEmpty() ? null : parts[1],
                    parts[2].isEmpty() ? null : parts[2], before, after, sat, r));
        }
        double trafficBefore = 0;
        double trafficAfter = 0;
        int nb = 0;
        int na = 0;
        for (int k = 0; k < n; k++) {
            if (starts[k] < f.onset()) {
                trafficBefore += traffic[k];
                nb++;
            } else {
                trafficAfter += traffic[k];
                na++;
            }
        }
        trafficBefore /= Math.max(1, nb);
        trafficAfter /= Math.max(1, na);
        double rTraffic = pearson(traffic, symptom);
        double trafficAssociation = trafficBefore <= 0 ? 0
                : Math.max(0, rTraffic) * clamp(trafficAfter / trafficBefore - 1);
        resources.add(new Evidences.ResourceSeries("traffic", null, null, trafficBefore, trafficAfter, null, rTraffic));
        best = Math.max(best, trafficAssociation);
        resources.sort(Comparator.comparingDouble((Evidences.ResourceSeries r) -> -r.correlation()));
        double score = clamp(symptomStrength * best);
        if (score <= 0) {
            return null;
        }
        Evidences.ResourceSeries top = resources.get(0);
        String symptomName = byLatency ? "latency_p95_ms" : "error_rate";
        double before = byLatency ? latB : errB;
        double after = byLatency ? latC : errC;
        return new Cause(CauseKind.INFRASTRUCTURE, score, null, null, null,
                String.format(java.util.Locale.ROOT, "%s went from %.4g to %.4g with %s%s%s (mean %.1f → %.1f, "
                        + "correlation %.2f)", symptomName, before, after, top.metric(),
                        top.host() == null ? "" : " on " + top.host(), top.device() == null ? "" : " " + top.device(), top.before(), top.after(), top.correlation()),
                new Evidences.Infrastructure(f.baseWindow(), f.curWindow(), symptomName, before, after, symptomStrength,
                        f.step() / 1000, resources),
                List.of(new SuggestedAction("scale_up", "add capacity to the hosts serving the model"),
                        new SuggestedAction("investigate", "look for noisy neighbours or a leak on "
                                + (top.host() == null ? "the serving hosts" : top.host()))),
                "symptom strength x association: symptom min(1, p95 latency ratio - 1) or confidence(p) x min(1, "
                        + "error rate rise / 0.05); association max(0, correlation of the per-step series) x "
                        + "min(1, max(2 x share of saturated steps, mean rise / 30 points)), or for traffic x "
                        + "min(1, volume ratio - 1)");
    }

    /** Whether a resource reading is of the model's hosts: its {@code model} field or label names the model. */
    private static boolean servesModel(MetricEvent e, Frame f) {
        String model = e.model() != null ? e.model() : e.labels().get("model");
        return f.model().name().equals(model);
    }

    /** One series of a load: the metric, its host and its device ({@code gpu=0}, {@code pid=42}), NUL-separated. */
    private static String seriesKey(String metric, MetricEvent e) {
        String device = "";
        for (String label : ResourceMetrics.DEVICE_LABELS) {
            String v = e.labels().get(label);
            if (v != null) {
                device = label + "=" + v;
                break;
            }
        }
        return metric + '\u0000' + e.labels().getOrDefault("host", "") + '\u0000' + device;
    }

    /** Pearson correlation over the steps where both are finite; 0 with fewer than 3 such steps. */
    static double pearson(double[] a, double[] b) {
        double sa = 0;
        double sb = 0;
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isFinite(a[i]) && Double.isFinite(b[i])) {
                sa += a[i];
                sb += b[i];
                n++;
            }
        }
        if (n < 3) {
            return 0;
        }
        double ma = sa / n;
        double mb = sb / n;
        double cov = 0;
        double va = 0;
        double vb = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isFinite(a[i]) && Double.isFinite(b[i])) {
                cov += (a[i] - ma) * (b[i] - mb);
                va += (a[i] - ma) * (a[i] - ma);
                vb += (b[i] - mb) * (b[i] - mb);
            }
        }
        return va <= 0 || vb <= 0 ? 0 : cov / Math.sqrt(va * vb);
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
