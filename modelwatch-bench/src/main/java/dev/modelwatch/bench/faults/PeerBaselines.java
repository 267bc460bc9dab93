package dev.modelwatch.bench.faults;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The detectors ModelWatch is compared with, each deciding per window (a batch, a chunk) from the raw
 * values of that window against the reference windows (the first hour), as their documentation says:
 * <ul>
 *   <li><b>static</b>: hand-set thresholds from the reference hour, the first rules a team writes: a
 *       feature's missing rate 5 points above the reference's, more than 5% unseen categories, error
 *       rate above 5%, p95 latency over twice the reference's, volume under half or over twice the
 *       reference's mean, accuracy 5 points under the reference's (once labels arrive);</li>
 *   <li><b>Evidently KS</b>: per numerical column, the two-sample Kolmogorov-Smirnov test against the
 *       reference, drift at p &lt; 0.05 (Evidently's default for numerical columns), the p-value as
 *       Evidently's scipy {@code ks_2samp} gives it (exact up to 10,000 values a sample); per categorical
 *       column the chi-squared test at p &lt; 0.05 (its default for categorical ones); an alarm when a
 *       column drifts (column drift, as a per-column alert would fire);</li>
 *   <li><b>Evidently PSI</b>: the population stability index against the reference, drift above 0.1,
 *       numerical columns on 10 reference-quantile bins, categorical ones on their values;</li>
 *   <li><b>NannyML</b>: per column the Jensen-Shannon distance of the chunk to the reference (its
 *       default univariate method), and the realized accuracy (its performance calculation), each
 *       alarming outside the mean ± 3 standard deviations of the same metric over the reference's
 *       chunks (its default threshold).</li>
 * </ul>
 * Missing values are left out of the distributions, as both libraries drop them before their tests.
 */
public final class PeerBaselines {
    /** The numerical and categorical columns the simulator sends. */
    static final String[] NUMERICAL = {"x1", "x2", "x3", "x4", "amount"};
    static final String[] CATEGORICAL = {"device", "channel"};

    /** What a detector saw in one window. */
    public record Decision(boolean alarm, String why) {
        static final Decision NONE = new Decision(false, null);
    }

    /** A window's raw data, collected from the events sent. */
    public static final class WindowData {
        final Map<String, List<Double>> numerical = new HashMap<>();
        final Map<String, List<String>> categorical = new HashMap<>();
        final Map<String, Integer> missing = new HashMap<>();
        int predictions;
        int errors;
        final List<Double> latencies = new ArrayList<>();
        int labelled;
        int correct;

        void numerical(String f, Double v) {
            if (v == null) {
                missing.merge(f, 1, Integer::sum);
            } else {
                numerical.computeIfAbsent(f, k -> new ArrayList<>()).add(v);
            }
        }

        void categorical(String f, String v) {
            if (v == null) {
                missing.merge(f, 1, Integer::sum);
            } else {
                categorical.computeIfAbsent(f, k -> new ArrayList<>()).add(v);
            }
        }

        double[] values(String f) {
            return numerical.getOrDefault(f, List.of()).stream().mapToDouble(Double::doubleValue).toArray();
        }

        double missingRate(String f) {
            return predictions == 0 ? 0 : missing.getOrDefault(f, 0) / (double) predictions;
        }

        double accuracy() {
            return labelled == 0 ? Double.NaN : correct / (double) labelled;
        }
    }

    private final List<WindowData> reference;
    private final Map<String, double[]> refSorted = new HashMap<>();
    private final Map<String, double[]> refEdges = new HashMap<>();
    private final Map<String, Map<String, Integer>> refCategories = new HashMap<>();
    private final Map<String, double[]> jsBand = new HashMap<>(); // column -> {mean, sd}
    private final double[] accuracyBand;
    private final double refAccuracy;
    private final double refP95;
    private final double refVolume;
    private final Map<String, Double> refMissing = new HashMap<>();

    public PeerBaselines(List<WindowData> reference) {
        this.reference = List.copyOf(reference);
        for (String f : NUMERICAL) {
            double[] all = reference.stream().flatMapToDouble(w -> Arrays.stream(w.values(f))).sorted().toArray();
            refSorted.put(f, all);
            double[] edges = new double[9];
            for (int i = 1; i < 10; i++) {
                edges[i - 1] = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (i / 10.0 * all.length))];
            }
            refEdges.put(f, edges);
        }
        for (String f : CATEGORICAL) {
            Map<String, Integer> counts = new HashMap<>();
            reference.forEach(w -> w.categorical.getOrDefault(f, List.of()).forEach(v -> counts.merge(v, 1, Integer::sum)));
            refCategories.put(f, counts);
        }
        for (String f : NUMERICAL) {
            double[] js = reference.stream().mapToDouble(w -> jsNumerical(f, w)).toArray();
            jsBand.put(f, meanSd(js));
        }
        for (String f : CATEGORICAL) {
            double[] js = reference.stream().mapToDouble(w -> jsCategorical(f, w)).toArray();
            jsBand.put(f, meanSd(js));
        }
        accuracyBand = meanSd(reference.stream().mapToDouble(WindowData::accuracy).filter(d -> !Double.isNaN(d)).toArray());
        int labelled = reference.stream().mapToInt(w -> w.labelled).sum();
        refAccuracy = labelled == 0 ? Double.NaN : reference.stream().mapToInt(w -> w.correct).sum() / (double) labelled;
        refP95 = percentile(reference.stream().flatMap(w -> w.latencies.stream()).mapToDouble(Double::doubleValue)
                .sorted().toArray(), 0.95);
        refVolume = reference.stream().mapToInt(w -> w.predictions).average().orElse(0);
        int preds = reference.stream().mapToInt(w -> w.predictions).sum();
        for (String f : NUMERICAL) {
            refMissing.put(f, reference.stream().mapToInt(w -> w.missing.getOrDefault(f, 0)).sum() / (double) Math.max(1, preds));
        }
        for (String f : CATEGORICAL) {
            refMissing.put(f, reference.stream().mapToInt(w -> w.missing.getOrDefault(f, 0)).sum() / (double) Math.max(1, preds));
        }
    }

    /** The static thresholds on the window's own data (accuracy excepted: {@link #staticAccuracy}). */
    public Decision staticThresholds(WindowData w) {
        for (String f : refMissing.keySet()) {
            if (w.missingRate(f) > refMissing.get(f) + 0.05) {
                return new Decision(true, "missing " + f);
            }
        }
        for (String f : CATEGORICAL) {
            List<String> vals = w.categorical.getOrDefault(f, List.of());
            long unseen = vals.stream().filter(v -> !refCategories.get(f).containsKey(v)).count();
            if (!vals.isEmpty() && unseen > 0.05 * vals.size()) {
                return new Decision(true, "new categories " + f);
            }
        }
        if (w.predictions > 0 && w.errors / (double) w.predictions > 0.05) {
            return new Decision(true, "error rate");
        }
        double p95 = percentile(w.latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.95);
        if (p95 > 2 * refP95) {
            return new Decision(true, "p95 latency");
        }
        if (w.predictions < 0.5 * refVolume || w.predictions > 2 * refVolume) {
            return new Decision(true, "volume");
        }
        return Decision.NONE;
    }

    /** The static accuracy threshold, on a window whose labels have arrived. */
    public Decision staticAccuracy(WindowData w) {
        double acc = w.accuracy();
        return !Double.isNaN(acc) && acc < refAccuracy - 0.05 ? new Decision(true, "accuracy") : Decision.NONE;
    }

    /** Evidently's defaults: KS p &lt; 0.05 (numerical), chi-squared p &lt; 0.05 (categorical), per column. */
    public Decision evidentlyKs(WindowData w) {
        for (String f : NUMERICAL) {
            double[] cur = w.values(f);
            if (cur.length > 0 && Stats.ksPValue(refSorted.get(f), sorted(cur)) < 0.05) {
                return new Decision(true, f);
            }
        }
        for (String f : CATEGORICAL) {
            List<String> cur = w.categorical.getOrDefault(f, List.of());
            if (!cur.isEmpty() && chiSquaredPValue(f, cur) < 0.05) {
                return new Decision(true, f);
            }
        }
        return Decision.NONE;
    }

    /** Evidently's PSI above 0.1, per column. */
    public Decision evidentlyPsi(WindowData w) {
        for (String f : NUMERICAL) {
            double[] cur = w.values(f);
            if (cur.length > 0 && Stats.psi(binShares(refSorted.get(f), f), binShares(cur, f)) > 0.1) {
                return new Decision(true, f);
            }
        }
        for (String f : CATEGORICAL) {
            List<String> cur = w.categorical.getOrDefault(f, List.of());
            if (!cur.isEmpty()) {
                double[][] pq = categoryShares(f, cur);
                if (Stats.psi(pq[0], pq[1]) > 0.1) {
                    return new Decision(true, f);
                }
            }
        }
        return Decision.NONE;
    }

    /** NannyML's univariate drift: Jensen-Shannon above the reference chunks' mean + 3 sd, per column. */
    public Decision nannymlDrift(WindowData w) {
        for (String f : NUMERICAL) {
            if (w.values(f).length > 0 && jsNumerical(f, w) > upper(jsBand.get(f))) {
                return new Decision(true, f);
            }
        }
        for (String f : CATEGORICAL) {
            if (!w.categorical.getOrDefault(f, List.of()).isEmpty() && jsCategorical(f, w) > upper(jsBand.get(f))) {
                return new Decision(true, f);
            }
        }
        return Decision.NONE;
    }

    /** NannyML's realized performance: accuracy outside the reference chunks' mean ± 3 sd. */
    public Decision nannymlAccuracy(WindowData w) {
        double acc = w.accuracy();
        if (Double.isNaN(acc)) {
            return Decision.NONE;
        }
        return acc < accuracyBand[0] - 3 * accuracyBand[1] || acc > upper(accuracyBand)
                ? new Decision(true, "accuracy") : Decision.NONE;
    }

    private static double upper(double[] meanSd) {
        return meanSd[0] + 3 * meanSd[1];
    }

    private double jsNumerical(String f, WindowData w) {
        return Stats.jensenShannon(binShares(refSorted.get(f), f), binShares(w.values(f), f));
    }

    private double jsCategorical(String f, WindowData w) {
        double[][] pq = categoryShares(f, w.categorical.getOrDefault(f, List.of()));
        return Stats.jensenShannon(pq[0], pq[1]);
    }

    private double[] binShares(double[] values, String f) {
        double[] edges = refEdges.get(f);
        double[] counts = new double[edges.length + 1];
        for (double v : values) {
            int b = 0;
            while (b < edges.length && v > edges[b]) {
                b++;
            }
            counts[b]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= Math.max(1, values.length);
        }
        return counts;
    }

    /** Reference and current shares over the union of their categories. */
    private double[][] categoryShares(String f, List<String> current) {
        Map<String, Integer> ref = refCategories.get(f);
        Map<String, Integer> cur = new HashMap<>();
        current.forEach(v -> cur.merge(v, 1, Integer::sum));
        Set<String> keys = new HashSet<>(ref.keySet());
        keys.addAll(cur.keySet());
        double refN = ref.values().stream().mapToInt(Integer::intValue).sum();
        double curN = current.size();
        double[] p = new double[keys.size()];
        double[] q = new double[keys.size()];
        int i = 0;
        for (String k : keys) {
            p[i] = ref.getOrDefault(k, 0) / refN;
            q[i] = cur.getOrDefault(k, 0) / curN;
            i++;
        }
        return new double[][] {p, q};
    }

    /** The chi-squared test of the window's category counts against the reference's shares. */
    private double chiSquaredPValue(String f, List<String> current) {
        double[][] pq = categoryShares(f, current);
        double n = current.size();
        double stat = 0;
        int df = -1;
        for (int i = 0; i < pq[0].length; i++) {
            double expected = Math.max(pq[0][i], 1e-4) * n; // an unseen category: a tiny expected count
            double observed = pq[1][i] * n;
            stat += (observed - expected) * (observed - expected) / expected;
            df++;
        }
        return Stats.chiSquaredSurvival(stat, Math.max(1, df));
    }

    private static double[] sorted(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s;
    }

    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    private static double[] meanSd(double[] v) {
        if (v.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mean = Arrays.stream(v).average().orElse(0);
        double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
        return new double[] {mean, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0};
    }

    List<WindowData> reference() {
        return reference;
    }
}
