package dev.modelwatch.bench.calibration;

import dev.modelwatch.bench.calibration.SyntheticFeatures.Kind;
import dev.modelwatch.bench.calibration.SyntheticFeatures.Shift;
import dev.modelwatch.core.quality.DataQualityIssue;
import dev.modelwatch.core.rules.RuleExpression;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.io.output.TeeOutputStream;

/**
 * The calibration of every default decision that can raise an alert, as one program: false alarms
 * on clean data and the smallest shift detected, by decision, reference size and window size, as the
 * markdown tables of BENCHMARKS.md (section "Calibration of every default decision").
 *
 * <pre>
 * java -cp modelwatch-bench/target/modelwatch-bench-0.1.0-SNAPSHOT-all.jar \
 *      dev.modelwatch.bench.calibration.CalibrationBenchmark [--quick] [--threads N] [--only SECTION] [--out FILE]
 * </pre>
 * Sections: {@code multivariate}, {@code features}, {@code estimate}, {@code series}, {@code labelled}
 * ({@code versions}: its per-version table only). {@code --quick}
 * runs every section on small grids with few trials (seconds; the tests run it); the full run sizes
 * its trials so that a 1% rate is told from 2% (minutes on 2 cores).
 */
public final class CalibrationBenchmark {
    static final long[] REFERENCES = {1_000, 10_000, 100_000, 1_000_000};
    static final long[] WINDOWS = {100, 1_000, 10_000, 100_000, 1_000_000};

    private final boolean quick;
    private final Trials trials;
    private final PrintStream out;

    CalibrationBenchmark(boolean quick, Trials trials, PrintStream out) {
        this.quick = quick;
        this.trials = trials;
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        boolean quick = false;
        int threads = Runtime.getRuntime().availableProcessors();
        String only = null;
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--out" -> file = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: CalibrationBenchmark [--quick] [--threads N] "
                            + "[--only multivariate|features|estimate|series|labelled|versions] [--out FILE]");
                    System.exit(2);
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        PrintStream both = new PrintStream(new TeeOutputStream(System.out, buffer), true, StandardCharsets.UTF_8);
        try {
            long t0 = System.nanoTime();
            new CalibrationBenchmark(quick, new Trials(pool), both).run(only);
            both.printf(Locale.ROOT, "%n(%s run, %d threads, %.0f s)%n", quick ? "quick" : "full", threads,
                    (System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
        if (file != null) {
            Files.write(file, buffer.toByteArray());
        }
    }

    void run(String only) {
        if (only == null || only.equals("multivariate")) {
            multivariate();
        }
        if (only == null || only.equals("features")) {
            features();
        }
        if (only == null || only.equals("estimate")) {
            estimate();
        }
        if (only == null || only.equals("series")) {
            series();
        }
        if (only == null || only.equals("labelled")) {
            labelled();
        }
        if (only == null || only.equals("labelled") || only.equals("versions")) {
            versionLabelled();
        }
    }

    // ---- realized accuracy on late labels ----

    private void labelled() {
        long[] labels = {100, 1_000, 10_000};
        long[] references = {0, 10_000, 100_000};
        int count = quick ? 2 : 100;
        int days = quick ? 1 : 5;
        out.println("### ModelLabelledAccuracyDrop on late labels: false alarms");
        out.println();
        out.printf(Locale.ROOT, "%d streams of %d clean days per row (one-minute windows, labels two windows late, "
                + "the series at every close); baseline: the uploaded reference's labelled rows, or the model's own "
                + "earlier windows.%n%n", count, days);
        out.println("| labels a window | baseline | condition per evaluation | alerts | alerts per day |");
        out.println("|---:|---|---|---|---|");
        for (long n : labels) {
            for (long ref : references) {
                List<int[]> r = trials.run(count, t -> LabelledCalibration.falseAlarms(n, ref, days,
                        seed("labelled", "", n * 7 + ref, t)));
                int conditions = r.stream().mapToInt(x -> x[0]).sum();
                int alerts = r.stream().mapToInt(x -> x[1]).sum();
                out.printf(Locale.ROOT, "| %s | %s | %s | %d | %.3f |%n", format(n),
                        ref == 0 ? "own earlier windows" : format(ref) + " reference rows",
                        rate(conditions, (long) count * days * LabelledCalibration.WINDOWS_PER_DAY), alerts,
                        alerts / (double) (count * days));
            }
        }
        out.println();
    }

    private void versionLabelled() {
        long[] labels = {100, 1_000, 10_000};
        int count = quick ? 2 : 100;
        int days = quick ? 1 : 5;
        out.println("### ModelVersionAccuracyDrop on late labels: false alarms");
        out.println();
        out.printf(Locale.ROOT, "%d streams of %d clean days per row (as above), the labels of each window split evenly "
                + "among the versions serving side by side; each version decided against the others at every close "
                + "(p-values adjusted for the versions decided), conditions and alerts counted per version; "
                + "in turns: each version serves alone for %d windows, then the other.%n%n",
                count, days, LabelledCalibration.TURN_WINDOWS);
        out.println("| labels a window | versions | condition per decision | alerts | alerts per day |");
        out.println("|---:|---:|---|---|---|");
        for (long n : labels) {
            // 1, 2 and 3 versions side by side, then 2 taking all the traffic in turns (a rollout, and back)
            for (int cell = 1; cell <= 4; cell++) {
                boolean turns = cell == 4;
                int k = turns ? 2 : cell;
                List<int[]> r = trials.run(count, t -> LabelledCalibration.versionFalseAlarms(n, k, turns, days,
                        seed(turns ? "labelled-rollout" : "labelled-version", "", n * 7 + k, t)));
                int conditions = r.stream().mapToInt(x -> x[0]).sum();
                int alerts = r.stream().mapToInt(x -> x[1]).sum();
                int decisions = r.stream().mapToInt(x -> x[2]).sum();
                out.printf(Locale.ROOT, "| %s | %s | %s | %d | %.3f |%n", format(n),
                        turns ? "2 in turns of " + LabelledCalibration.TURN_WINDOWS + " windows" : String.valueOf(k),
                        decisions == 0 ? "- (no decision)" : rate(conditions, decisions), alerts,
                        alerts / (double) (count * days));
            }
        }
        out.println();
    }

    // ---- multivariate ----

    private void multivariate() {
        long[] refs = quick ? new long[] {1_000, 100_000} : REFERENCES;
        long[] windows = quick ? new long[] {100, 10_000, 1_000_000} : WINDOWS;
        int references = quick ? 100 : 2_000;
        out.println("### Multivariate drift (PCA reconstruction error): false alarms");
        out.println();
        out.printf(Locale.ROOT, "%d references per row, each decided against one clean window of every size; "
                + "flagged / decided (rate), `-` no decision.%n%n", references);
        List<MultivariateCalibration.Scenario> scenarios = List.of(MultivariateCalibration.three(0),
                MultivariateCalibration.ten(), MultivariateCalibration.lognormal());
        header("scenario | reference rows", windows);
        for (MultivariateCalibration.Scenario s : scenarios) {
            boolean rows = s.lognormal();
            for (long n : refs) {
                if (rows && n > 100_000) {
                    continue;
                }
                long[] ws = rows ? cap(windows, 100_000) : windows;
                int count = rows ? Math.max(20, references / 4) : references;
                List<int[]> results = trials.run(count, t -> MultivariateCalibration.falseAlarms(s, n, ws,
                        seed("mv", s.name(), n, t)));
                StringBuilder line = new StringBuilder("| " + s.name() + " | " + format(n));
                for (long w : windows) {
                    int at = indexOf(ws, w);
                    if (at < 0) {
                        line.append(" | ");
                        continue;
                    }
                    int flagged = 0;
                    int decided = 0;
                    for (int[] r : results) {
                        decided += r[at] >= 0 ? 1 : 0;
                        flagged += r[at] == 1 ? 1 : 0;
                    }
                    line.append(" | ").append(rate(flagged, decided));
                }
                out.println(line.append(" |"));
            }
        }
        out.println();
        out.println("### Multivariate drift: power (smallest drop of the x1-x2 correlation from 0.8 flagged in >= 95% "
                + "of trials; 1.6 is the flip to -0.8)");
        out.println();
        int trialsPerDelta = quick ? 10 : 40;
        header("reference rows", windows);
        for (long n : refs) {
            StringBuilder line = new StringBuilder("| " + format(n));
            for (long w : windows) {
                line.append(" | ").append(smallest(MultivariateCalibration.POWER_DELTAS, trialsPerDelta,
                        (delta, t) -> MultivariateCalibration.detects(delta, n, w, seed("mvp", "", n * 31 + w, t))));
            }
            out.println(line.append(" |"));
        }
        out.println();
    }

    // ---- per-feature decisions ----

    private void features() {
        long[] refs = quick ? new long[] {1_000, 10_000} : REFERENCES;
        long[] windows = quick ? new long[] {100, 1_000, 10_000} : WINDOWS;
        int count = quick ? 8 : 160;
        List<Tally.Table> results = trials.run(count, t -> FeatureCalibration.falseAlarms(refs, windows,
                seed("features", "", 0, t), t % FeatureCalibration.LARGEST_EVERY == 0));
        Tally.Table all = new Tally.Table();
        results.forEach(all::merge);
        out.println("### Per-feature decisions and data quality: false alarms");
        out.println();
        out.printf(Locale.ROOT, "%d reports of the 20 features of `SyntheticFeatures` per cell (the largest window in "
                + "one of %d); a feature decision counts once per tested feature, the others once per report.%n%n",
                count, FeatureCalibration.LARGEST_EVERY);
        table(all, windows);
        out.println("### Per-feature decisions and data quality: power (smallest shift flagged in >= 95% of trials)");
        out.println();
        long reference = quick ? 10_000 : 100_000;
        out.printf(Locale.ROOT, "Reference of %s rows; the shifted feature among the 20 clean ones of its report; 20 "
                + "trials a shift up to 10,000 events, 10 above (all 10 must catch it).%n%n", format(reference));
        header("decision (shift)", windows);
        Object[][] cases = {
                {"feature drift, numerical (mean shift, sd)", "normal_0", Kind.MEAN, null,
                        new double[] {0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.2}},
                {"feature drift, categorical (share moved)", "category_4", Kind.SHARE, null,
                        new double[] {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4}},
                {"missing_rate (extra share missing)", "normal_1", Kind.MISSING, DataQualityIssue.Kind.MISSING_RATE,
                        new double[] {0.01, 0.02, 0.05, 0.1, 0.2, 0.5}},
                {"non_finite (share NaN)", "normal_2", Kind.NAN, DataQualityIssue.Kind.NON_FINITE,
                        new double[] {1e-4, 1e-3, 0.01, 0.05, 0.2}},
                {"out_of_range (share beyond the range)", "normal_3", Kind.OUT_OF_RANGE,
                        DataQualityIssue.Kind.OUT_OF_RANGE, new double[] {0.005, 0.01, 0.02, 0.05, 0.1, 0.2}},
                {"new_category (share of one new category)", "category_20", Kind.NEW_CATEGORY,
                        DataQualityIssue.Kind.NEW_CATEGORY, new double[] {0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2}},
                {"constant (every value the same)", "normal_4", Kind.CONSTANT, DataQualityIssue.Kind.CONSTANT,
                        new double[] {1}},
                {"schema (feature absent)", "normal_5", Kind.ABSENT, DataQualityIssue.Kind.SCHEMA, new double[] {1}}};
        for (Object[] c : cases) {
            StringBuilder line = new StringBuilder("| " + c[0]);
            for (long w : windows) {
                int perShift = quick ? 5 : w > 10_000 ? 10 : 20;
                line.append(" | ").append(smallest((double[]) c[4], perShift, (amount, t) ->
                        FeatureCalibration.detects(new Shift((String) c[1], (Kind) c[2], amount),
                                (DataQualityIssue.Kind) c[3], reference, w, seed("fp", (String) c[1], w, t))));
            }
            out.println(line.append(" |"));
        }
        out.println();
    }

    // ---- estimated performance ----

    private void estimate() {
        int[] refs = quick ? new int[] {1_000} : new int[] {1_000, 10_000, 100_000};
        long[] windows = quick ? new long[] {100, 10_000} : WINDOWS;
        int count = quick ? 20 : 300;
        long largest = windows[windows.length - 1];
        List<Tally.Table> results = trials.run(count, t -> EstimateCalibration.falseAlarms(refs,
                t % 10 == 0 ? windows : cap(windows, largest / 10), seed("estimate", "", 0, t)));
        Tally.Table all = new Tally.Table();
        results.forEach(all::merge);
        out.println("### Estimated performance and the performance rules: false alarms");
        out.println();
        out.printf(Locale.ROOT, "%d references per row (the largest window in one trial of 10).%n%n", count);
        table(all, windows);
        out.println("### Performance rules: power (smallest true accuracy drop flagged in >= 95% of trials)");
        out.println();
        int reference = quick ? 1_000 : 10_000;
        int perShift = quick ? 5 : 20;
        double base = EstimateCalibration.trueAccuracy(0, 0);
        out.printf(Locale.ROOT, "Reference of %,d labelled rows, true accuracy %.3f.%n%n", reference, base);
        header("decision (cause of the drop)", windows);
        double[] flips = {0.02, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3};
        double[] mixes = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0};
        StringBuilder realized = new StringBuilder("| ModelAccuracyDrop condition (labels flipped)");
        StringBuilder estimated = new StringBuilder("| ModelEstimatedAccuracyDrop condition (scores near 0.5)");
        for (long w : windows) {
            String f = smallest(flips, perShift, (flip, t) -> EstimateCalibration.detectsRealizedDrop(flip, reference, w,
                    seed("ep", "flip", w, t)));
            realized.append(" | ").append(dropOf(f, base, true));
            String m = smallest(mixes, perShift, (mix, t) -> EstimateCalibration.detectsEstimatedDrop(mix, reference, w,
                    seed("ep", "mix", w, t)));
            estimated.append(" | ").append(dropOf(m, base, false));
        }
        out.println(realized.append(" |"));
        out.println(estimated.append(" |"));
        out.println();
    }

    private static String dropOf(String found, double base, boolean flip) {
        if (found.startsWith(">")) {
            return found;
        }
        double amount = Double.parseDouble(found);
        double accuracy = flip ? EstimateCalibration.trueAccuracy(0, amount) : EstimateCalibration.trueAccuracy(amount, 0);
        return String.format(Locale.ROOT, "%.3f", base - accuracy);
    }

    // ---- series ----

    private void series() {
        int count = quick ? 2 : 20;
        long[] times = SeriesCalibration.times();
        out.println("### Dynamic thresholds on metric series: false alarms per evaluation");
        out.println();
        out.printf(Locale.ROOT, "%d series of 10 days of one-minute samples per row; the last 3 days evaluated every "
                + "minute (%,d evaluations).%n%n", count, count * 3 * 1440);
        out.println("| detector (rule) | stationary | daily cycle |");
        out.println("|---|---|---|");
        for (SeriesCalibration.Detector d : SeriesCalibration.DETECTORS) {
            RuleExpression expr = RuleExpression.parse(d.expr());
            StringBuilder line = new StringBuilder("| `" + d.expr() + "`");
            for (boolean seasonal : new boolean[] {false, true}) {
                List<Integer> alarms = trials.run(count, t -> {
                    double[] v = SeriesCalibration.detectorSeries(new SplittableRandom(seed("series", d.name(),
                            seasonal ? 1 : 0, t)), seasonal);
                    return SeriesCalibration.count(SeriesCalibration.evaluate(expr, SeriesCalibration.source(times,
                            Map.of("x", v))));
                });
                int total = alarms.stream().mapToInt(Integer::intValue).sum();
                line.append(" | ").append(rate(total, count * 3 * 1440));
            }
            out.println(line.append(" |"));
        }
        out.println();
        out.println("### Default rules' dynamic thresholds: condition per evaluation, alerts per day");
        out.println();
        out.println("| rule | events per window | stationary: condition | stationary: alerts/day | daily cycle: condition "
                + "| daily cycle: alerts/day |");
        out.println("|---|---|---|---|---|---|");
        long[] eventsPerWindow = quick ? new long[] {10, 12_000} : new long[] {10, 100, 1_000, 12_000};
        for (SeriesCalibration.PackRule rule : SeriesCalibration.PACK) {
            RuleExpression expr = RuleExpression.parse(rule.expr());
            for (long events : eventsPerWindow) {
                StringBuilder line = new StringBuilder("| " + rule.name() + " | " + format(events));
                for (boolean seasonal : new boolean[] {false, true}) {
                    List<int[]> r = trials.run(count, t -> {
                        SplittableRandom random = new SplittableRandom(seed("pack", rule.name(), events * 2
                                + (seasonal ? 1 : 0), t));
                        Map<String, double[]> series = new LinkedHashMap<>();
                        series.put("latency_p99_ms", SeriesCalibration.latencySeries(random, events, seasonal));
                        series.put("count", SeriesCalibration.countSeries(random, events, seasonal));
                        boolean[] c = SeriesCalibration.evaluate(expr, SeriesCalibration.source(times, series));
                        return new int[] {SeriesCalibration.count(c), SeriesCalibration.firings(c, rule.forMinutes())};
                    });
                    int conditions = r.stream().mapToInt(x -> x[0]).sum();
                    int firings = r.stream().mapToInt(x -> x[1]).sum();
                    line.append(" | ").append(rate(conditions, count * 3 * 1440)).append(" | ")
                            .append(String.format(Locale.ROOT, "%.3f", firings / (count * 3.0)));
                }
                out.println(line.append(" |"));
            }
        }
        out.println();
    }

    // ---- tables ----

    private void table(Tally.Table all, long[] windows) {
        TreeSet<String> decisions = new TreeSet<>();
        TreeSet<Long> refs = new TreeSet<>();
        all.cells().keySet().forEach(c -> {
            decisions.add(c.decision());
            refs.add(c.referenceRows());
        });
        header("decision | reference rows", windows);
        for (String d : decisions) {
            for (long n : refs) {
                StringBuilder line = new StringBuilder("| " + d + " | " + format(n));
                for (long w : windows) {
                    Tally t = all.cells().get(new Tally.Cell(d, n, w));
                    line.append(" | ").append(t == null ? "" : rate(t.flagged(), t.opportunities()));
                }
                out.println(line.append(" |"));
            }
        }
        out.println();
    }

    private void header(String first, long[] windows) {
        StringBuilder h = new StringBuilder("| " + first);
        StringBuilder rule = new StringBuilder("|---");
        for (int i = 1; i < first.split("\\|").length; i++) {
            rule.append("|---");
        }
        for (long w : windows) {
            h.append(" | n = ").append(format(w));
            rule.append("|---:");
        }
        out.println(h.append(" |"));
        out.println(rule.append("|"));
    }

    /** A decision as a function of the shift amount and the trial index. */
    interface Detection {
        boolean detects(double amount, int trial);
    }

    /**
     * The smallest amount of {@code grid} detected in at least 95% of {@code perAmount} trials, or
     * "> max"; an amount is abandoned as soon as more than 5% of its trials missed.
     */
    private String smallest(double[] grid, int perAmount, Detection detection) {
        int allowedMisses = (int) Math.floor(0.05 * perAmount);
        for (double amount : grid) {
            List<Boolean> hits = trials.run(perAmount, t -> detection.detects(amount, t));
            long misses = hits.stream().filter(h -> !h).count();
            if (misses <= allowedMisses) {
                return trim(amount);
            }
        }
        return "> " + trim(grid[grid.length - 1]);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    static String rate(long flagged, long decided) {
        if (decided == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%d/%d (%.2f%%)", flagged, decided, 100.0 * flagged / decided);
    }

    static String format(long n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return (n / 1_000_000) + "M";
        }
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static long[] cap(long[] values, long max) {
        List<Long> kept = new ArrayList<>();
        for (long v : values) {
            if (v <= max) {
                kept.add(v);
            }
        }
        return kept.stream().mapToLong(Long::longValue).toArray();
    }

    private static int indexOf(long[] values, long v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }

    static long seed(String section, String name, long cell, int trial) {
        return ((section.hashCode() * 31L + name.hashCode()) * 1_000_003L + cell) * 7_919L + trial;
    }
}
