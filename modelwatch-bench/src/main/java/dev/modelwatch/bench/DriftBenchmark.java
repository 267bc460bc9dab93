package dev.modelwatch.bench;

import dev.modelwatch.core.drift.DriftPolicy;
import dev.modelwatch.core.drift.Reference;
import dev.modelwatch.core.drift.ReferenceBuilder;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.drift.DriftReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * The drift benchmarks of BENCHMARKS.md, in one program:
 * <ul>
 *   <li>{@code calibration}: {@link dev.modelwatch.bench.calibration.CalibrationBenchmark}, the false alarms
 *       and power of every default decision (its options follow);</li>
 *   <li>{@code query}: a day of one model as the store keeps it (24 hourly roll-ups of 20 features),
 *       with 10^4 and with 10^7 events: the time of a drift query (decode the stored profiles, merge,
 *       test every feature, the multivariate model, data quality and estimated performance);</li>
 *   <li>{@code wide}: 3 million rows x 1,000 numerical columns profiled as a reference, a window of
 *       the same width profiled and tested for drift, against the bare KLL updates of the same values.</li>
 * </ul>
 * Usage: {@code java -cp modelwatch-bench-all.jar dev.modelwatch.bench.DriftBenchmark calibration|query|wide [rows] [cols]}
 */
public final class DriftBenchmark {
    private DriftBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "query";
        switch (what) {
            case "calibration" -> dev.modelwatch.bench.calibration.CalibrationBenchmark.main(
                    java.util.Arrays.copyOfRange(args, 1, args.length));
            case "query" -> query();
            case "wide" -> wide(args.length > 1 ? Integer.parseInt(args[1]) : 3_000_000,
                    args.length > 2 ? Integer.parseInt(args[2]) : 1_000);
            default -> throw new IllegalArgumentException("unknown benchmark " + what + "; calibration, query or wide");
        }
    }

    private static double gaussian(SplittableRandom r) {
        return dev.modelwatch.bench.calibration.Draws.gaussian(r);
    }

    // ---- query cost ----

    private static final int FEATURES = 20;

    private static PredictionEvent event(SplittableRandom r, long ts, double shift) {
        FeatureVector.Builder f = FeatureVector.builder(FEATURES);
        for (int i = 0; i < FEATURES; i++) {
            f.number("f" + i, gaussian(r) + shift);
        }
        double score = 1 / (1 + Math.exp(-gaussian(r)));
        return new PredictionEvent("m", null, "v1", ts, f.build(), score >= 0.5 ? "1" : "0", score, null, 5 + r.nextDouble(),
                null, Map.of());
    }

    private static void query() {
        ModelSpec spec = new ModelSpec("m", ModelTask.BINARY_CLASSIFICATION, "1", 60_000, true);
        ReferenceBuilder rb = new ReferenceBuilder(spec);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 50_000; i++) {
            PredictionEvent e = event(r, 0, 0);
            rb.add(e.features(), e.prediction(), e.score(), null, r.nextDouble() < e.score() ? 1.0 : 0.0);
        }
        Reference reference = rb.build(Map.of());
        System.out.println("| events in the day | profiles read | stored bytes | query p50 ms | query min ms |");
        System.out.println("|---|---|---|---|---|");
        long[] sizes = {10_000, 100_000, 1_000_000, 10_000_000};
        double[][] medians = new double[2][sizes.length];
        int row = 0;
        for (long events : sizes) {
            List<byte[]> hours = new ArrayList<>();
            SplittableRandom g = new SplittableRandom(events);
            long perHour = events / 24;
            WindowProfile whole = new WindowProfile(SketchSettings.DEFAULT);
            for (int h = 0; h < 24; h++) {
                WindowProfile hour = new WindowProfile(SketchSettings.DEFAULT);
                for (long i = 0; i < perHour; i++) {
                    hour.addPrediction(event(g, h * 3_600_000L + i, 0.05), "1");
                }
                hours.add(hour.toBytes());
                whole.merge(hour);
            }
            // an aligned day reads its day roll-up; a rolling 24 hours reads hourly roll-ups (ProfileQuery)
            List<List<byte[]>> shapes = List.of(List.of(whole.toBytes()), hours);
            for (int shape = 0; shape < 2; shape++) {
                List<byte[]> stored = shapes.get(shape);
                long bytes = stored.stream().mapToLong(b -> b.length).sum();
                double[] ms = new double[25];
                for (int rep = 0; rep < ms.length; rep++) {
                    long t0 = System.nanoTime();
                    WindowProfile day = new WindowProfile(SketchSettings.DEFAULT);
                    for (byte[] b : stored) {
                        day.merge(WindowProfile.fromBytes(b, SketchSettings.DEFAULT));
                    }
                    var answer = DriftReport.of(spec, reference, day, DriftPolicy.DEFAULT, Map.of())
                            .answer();
                    if (answer.features().isEmpty()) {
                        throw new AssertionError();
                    }
                    ms[rep] = (System.nanoTime() - t0) / 1e6;
                }
                double[] timed = java.util.Arrays.copyOfRange(ms, 5, ms.length); // the first 5 warm the JIT
                java.util.Arrays.sort(timed);
                medians[shape][row] = timed[timed.length / 2];
                System.out.printf(Locale.ROOT, "| %,d | %s | %,d | %.1f | %.1f |%n", events,
                        shape == 0 ? "1 (aligned day)" : "24 (rolling 24 h)", bytes, timed[timed.length / 2], timed[0]);
            }
            row++;
        }
        for (int shape = 0; shape < 2; shape++) {
            System.out.printf(Locale.ROOT, "%s: query time 10^7 / 10^4 events %.2f, 10^7 / 10^5 events %.2f%n",
                    shape == 0 ? "aligned day" : "rolling 24 h", medians[shape][3] / medians[shape][0],
                    medians[shape][3] / medians[shape][1]);
        }
    }

    // ---- wide data ----

    private static void wide(int rows, int cols) throws Exception {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%,d rows x %,d numerical columns, %d threads%n", rows, cols, threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // the bare sketch updates of the same values: one KLL (k=800) per column, nothing else
            long t0 = System.nanoTime();
            List<Future<KllDoublesSketch[]>> bare = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int part = t;
                bare.add(pool.submit(() -> {
                    KllDoublesSketch[] s = new KllDoublesSketch[cols];
                    for (int c = 0; c < cols; c++) {
                        s[c] = KllDoublesSketch.newHeapInstance(SketchSettings.DEFAULT.featureKllK());
                    }
                    SplittableRandom r = new SplittableRandom(part);
                    for (int i = part; i < rows; i += threads) {
                        for (int c = 0; c < cols; c++) {
                            s[c].update(r.nextDouble() + c);
                        }
                    }
                    return s;
                }));
            }
            for (Future<KllDoublesSketch[]> f : bare) {
                f.get();
            }
            double bareS = (System.nanoTime() - t0) / 1e9;

            // the reference: every row through ReferenceBuilder-equivalent profiles, split by thread and merged
            ModelSpec spec = new ModelSpec("wide", ModelTask.REGRESSION, "1", 60_000, true);
            long t1 = System.nanoTime();
            List<Future<WindowProfile>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int part = t;
                parts.add(pool.submit(() -> profile(rows, cols, threads, part, 0, SketchSettings.REFERENCE)));
            }
            WindowProfile reference = new WindowProfile(SketchSettings.REFERENCE);
            for (Future<WindowProfile> f : parts) {
                reference.merge(f.get());
            }
            double refS = (System.nanoTime() - t1) / 1e9;

            // a current window of the same size, then the drift test of every column
            long t2 = System.nanoTime();
            parts.clear();
            for (int t = 0; t < threads; t++) {
                int part = t;
                parts.add(pool.submit(() -> profile(rows, cols, threads, part + 100, 0.02, SketchSettings.DEFAULT)));
            }
            WindowProfile current = new WindowProfile(SketchSettings.DEFAULT);
            for (Future<WindowProfile> f : parts) {
                current.merge(f.get());
            }
            double curS = (System.nanoTime() - t2) / 1e9;
            long t3 = System.nanoTime();
            Reference ref = Reference.baseline(reference, List.of(reference));
            DriftReport report = DriftReport.of(spec, ref, current, DriftPolicy.DEFAULT, Map.of());
            double testS = (System.nanoTime() - t3) / 1e9;
            System.out.println("| step | seconds | values/s | ratio to bare KLL updates |");
            System.out.println("|---|---|---|---|");
            double values = (double) rows * cols;
            System.out.printf(Locale.ROOT, "| bare KLL updates (k=800), one sketch per column | %.1f | %.3g | 1.00 |%n", bareS,
                    values / bareS);
            System.out.printf(Locale.ROOT, "| reference profile (k=2000, moments, co-moments of 64 columns) | %.1f | %.3g | %.2f |%n",
                    refS, values / refS, refS / bareS);
            System.out.printf(Locale.ROOT, "| current window profile (k=800) | %.1f | %.3g | %.2f |%n", curS, values / curS,
                    curS / bareS);
            System.out.printf(Locale.ROOT, "| drift test of %d columns (+ multivariate, data quality) | %.2f | | |%n", cols, testS);
            System.out.printf(Locale.ROOT, "total (reference + window + test): %.1f s; drifted columns: %d of %d%n",
                    refS + curS + testS, report.share().drifted(), report.share().tested());
        } finally {
            pool.shutdownNow();
        }
    }

    private static WindowProfile profile(int rows, int cols, int threads, int part, double shift, SketchSettings s) {
        WindowProfile p = new WindowProfile(s);
        String[] names = new String[cols];
        for (int c = 0; c < cols; c++) {
            names[c] = "c" + c;
        }
        SplittableRandom r = new SplittableRandom(part);
        for (int i = part % threads; i < rows; i += threads) {
            FeatureVector.Builder f = FeatureVector.builder(cols);
            for (int c = 0; c < cols; c++) {
                f.number(names[c], r.nextDouble() + c + shift);
            }
            p.addPrediction(new PredictionEvent("wide", null, "v1", 0L, f.build(), null, null, null, Double.NaN, null,
                    Map.of()));
        }
        return p;
    }
}
