package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.clamp;
import static dev.modelwatch.server.diagnosis.Scores.confidence;
import static dev.modelwatch.server.diagnosis.Scores.correct;
import static dev.modelwatch.server.diagnosis.Scores.fmt;

import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.time.Times;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link CauseKind#VERSION_REGRESSION}: a version whose first traffic matches the onset and that does
 * worse than the others over the same period, or than the traffic before the onset (docs/diagnosis.md).
 */
final class VersionCauses {
    private final ProfileDiagnoser.Sources in;

    VersionCauses(ProfileDiagnoser.Sources in) {
        this.in = in;
    }

    private record VersionData(String version, WindowProfile current, long firstMs, boolean isNew) {
    }

    List<Cause> versions(Frame f) {
        long tolerance = Math.max(2 * f.spec().windowMs(), (f.to() - f.from()) / 20);
        List<VersionData> data = new ArrayList<>();
        for (String v : f.model().versions()) {
            WindowProfile c = in.query().range(f.spec(), v, ProfileKey.ALL, f.onset(), f.to());
            if (c.count() == 0) {
                continue;
            }
            long first = versionFirst(f, v);
            // new: it replaced a version that served before it, and an onset found by an alert, which
            // lags the change (labels arrive late, rules wait their `for`), comes at most twice the
            // timing's tolerance after its first traffic
            boolean isNew = first >= f.onset() - 2 * tolerance && first != Long.MAX_VALUE && replaced(f, v, first);
            data.add(new VersionData(v, c, first, isNew));
        }
        List<Cause> out = new ArrayList<>();
        for (VersionData v : data) {
            if (!v.isNew()) {
                continue; // not new: it served long before the onset, or replaced none
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
            // the others' accuracy over the same period needs their labels: without them, and when the
            // version has its own, the others before the onset (those it replaced) speak for accuracy
            boolean samePeriod = totalO >= 30 || (mine[1] < 30 && eventsO >= 30);
            if (!samePeriod) {
                merged = before(f, v.version());
                long[] b = correct(merged.confusion());
                correctO = b[0];
                totalO = b[1];
                eventsO = merged.count();
                errorsO = merged.errors();
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

    /**
     * The traffic before the onset that {@code version} is compared with when it took all the traffic:
     * the other versions' (its own first predictions before a late onset are not what it replaced), or
     * all of it when they served too little.
     */
    private WindowProfile before(Frame f, String version) {
        WindowProfile others = new WindowProfile(SketchSettings.DEFAULT);
        for (String o : f.model().versions()) {
            if (!o.equals(version)) {
                others.merge(in.query().range(f.spec(), o, ProfileKey.ALL, f.baseFrom(), f.baseTo()));
            }
        }
        return others.count() >= 30 ? others : f.base();
    }

    private static Evidences.VersionMetrics metrics(String name, WindowProfile p, long[] correct, long firstMs) {
        Double p95 = p.latency() == null || p.latency().isEmpty() ? null : p.latency().getQuantile(0.95);
        return new Evidences.VersionMetrics(name, p.count(), correct[1],
                correct[1] == 0 ? null : (double) correct[0] / correct[1],
                p.count() == 0 ? 0 : (double) p.errors() / p.count(), p95,
                firstMs == Long.MAX_VALUE ? null : Times.format(firstMs));
    }

    /** Whether another version served in the examined range (or as long before it) before {@code firstMs}. */
    private boolean replaced(Frame f, String version, long firstMs) {
        long from = f.baseFrom() - Math.max(f.spec().windowMs(), f.onset() - f.baseFrom());
        for (String o : f.model().versions()) {
            if (!o.equals(version) && firstMs > from
                    && in.query().range(f.spec(), o, ProfileKey.ALL, from, firstMs).count() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * When a version's present stretch of traffic began: its first prediction after the last step
     * without any before the onset (a version taking the traffic again after a pause is rolled out
     * again), or its first after the onset when it had none before; earlier traffic when the stretch
     * runs from the range's start (it served before the range). {@link Long#MAX_VALUE} when it served
     * none.
     */
    private long versionFirst(Frame f, String version) {
        long first = Long.MAX_VALUE;
        long firstStepMs = Long.MIN_VALUE;
        long nextStepMs = Long.MIN_VALUE; // the step after the last one with traffic
        for (ProfileQuery.Bucket b : in.query().series(f.spec(), version, ProfileKey.ALL, f.baseFrom(), f.to(), f.step())) {
            if (b.profile().count() == 0) {
                continue;
            }
            if (b.startMs() > nextStepMs) { // a stretch begins
                if (first != Long.MAX_VALUE && b.startMs() > f.onset() && nextStepMs > f.onset()) {
                    break; // the stretch found reaches the onset: a later one is not it
                }
                first = b.profile().minTimestampMs();
                firstStepMs = b.startMs();
                if (b.startMs() > f.onset()) {
                    break; // the first stretch after the onset, none reaching it
                }
            }
            nextStepMs = b.startMs() + f.step();
        }
        if (first != Long.MAX_VALUE && firstStepMs < f.baseFrom() + f.step()) {
            long lookback = Math.max(f.spec().windowMs(), f.onset() - f.baseFrom());
            WindowProfile earlier = in.query().range(f.spec(), version, ProfileKey.ALL, f.baseFrom() - lookback, f.baseFrom());
            if (earlier.count() > 0) {
                return earlier.minTimestampMs();
            }
        }
        return first;
    }
}
