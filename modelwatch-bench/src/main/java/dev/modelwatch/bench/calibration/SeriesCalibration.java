package dev.modelwatch.bench.calibration;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.RuleExpression;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.core.rules.SeriesSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * False alarms of the dynamic thresholds on metric series: the rule language's detector functions at
 * the thresholds the documentation recommends, and the default rule pack's own dynamic thresholds
 * (latency against the last hour, traffic against the last hour), evaluated by the rule engine itself
 * ({@link RuleExpression}) once per one-minute window over clean series, with and without a daily
 * cycle. A series is 10 days of one-minute samples; the first 7 days are history (the seasonal
 * score compares with 7 previous days), the last 3 are evaluated: 4,320 evaluations a series.
 *
 * <p>Detector series: {@code 10 + noise} with standard normal noise, or
 * {@code 10 + 3 sin(2 pi t / 1 day) + noise}. Default-rule series: the p99 of each window's latencies
 * (lognormal, median 20 ms, sigma 0.5; with the cycle the median follows {@code exp(0.3 sin)}) over
 * {@code events} events a window, and the window's event count (Poisson with mean {@code events},
 * times {@code 1 + 0.5 sin} with the cycle). An alert of a default rule fires when its condition holds
 * at every evaluation over its {@code for} duration.
 */
public final class SeriesCalibration {
    static final long MINUTE = 60_000L;
    static final int DAYS = 10;
    static final int HISTORY_DAYS = 7;

    /** A detector rule as documented, over the series {@code x}. */
    record Detector(String name, String expr) {
    }

    static final List<Detector> DETECTORS = List.of(
            new Detector("zscore, |z| > 3 over 1h", "abs(zscore(x[1h])) > 3"),
            new Detector("mad_score, |z| > 3.5 over 1h", "abs(mad_score(x[1h])) > 3.5"),
            new Detector("iqr_score, |z| > 3.5 over 1h", "abs(iqr_score(x[1h])) > 3.5"),
            new Detector("ewma_band(alpha 0.3, k 3) over 1h, outside", "abs(ewma_band(x[1h], 0.3, 3)) > 0"),
            new Detector("cusum(k 0.5, h 5) over 2h", "cusum(x[2h], 0.5, 5) == 1"),
            new Detector("cusum(k 0.5, h 10) over 2h", "cusum(x[2h], 0.5, 10) == 1"),
            new Detector("page_hinkley(delta 0.5 sd, lambda 15 sd) over 2h", "page_hinkley(x[2h], 0.5, 15) == 1"),
            new Detector("seasonal_score(1d, 7), |z| > 3", "abs(seasonal_score(x, 1d, 7)) > 3"));

    /** A default rule's condition, its {@code for}, over the series it reads. */
    record PackRule(String name, String expr, int forMinutes) {
    }

    static final List<PackRule> PACK = List.of(
            new PackRule("ModelLatencyP99High", "latency_p99_ms > 2 * avg_over_time(latency_p99_ms[1h] offset 10m)", 5),
            new PackRule("ModelTrafficDrop", "avg_over_time(count[10m]) < 0.3 * avg_over_time(count[1h] offset 10m)",
                    10));

    private SeriesCalibration() {
    }

    /** Samples at every minute end of the 10 days. */
    static long[] times() {
        int n = DAYS * 1440;
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = (i + 1) * MINUTE;
        }
        return t;
    }

    static double cycle(int minute) {
        return Math.sin(2 * Math.PI * minute / 1440.0);
    }

    static double[] detectorSeries(SplittableRandom r, boolean seasonal) {
        double[] v = new double[DAYS * 1440];
        for (int i = 0; i < v.length; i++) {
            v[i] = 10 + (seasonal ? 3 * cycle(i) : 0) + Draws.gaussian(r);
        }
        return v;
    }

    /** Per window the p99 of {@code events} lognormal latencies (normal approximation of the order statistic above 2,000). */
    static double[] latencySeries(SplittableRandom r, long events, boolean seasonal) {
        double[] v = new double[DAYS * 1440];
        double z99 = 2.3263478740408408;
        double density = Math.exp(-z99 * z99 / 2) / Math.sqrt(2 * Math.PI);
        double[] buffer = new double[(int) Math.min(events, 2_000)];
        for (int i = 0; i < v.length; i++) {
            double mu = Math.log(20) + (seasonal ? 0.3 * cycle(i) : 0);
            double q;
            if (events <= 2_000) {
                for (int k = 0; k < events; k++) {
                    buffer[k] = Draws.gaussian(r);
                }
                Arrays.sort(buffer, 0, (int) events);
                double h = (events - 1) * 0.99;
                int lo = (int) Math.floor(h);
                q = lo + 1 < events ? buffer[lo] + (h - lo) * (buffer[lo + 1] - buffer[lo]) : buffer[lo];
            } else {
                q = z99 + Math.sqrt(0.99 * 0.01 / events) / density * Draws.gaussian(r);
            }
            v[i] = Math.exp(mu + 0.5 * q);
        }
        return v;
    }

    static double[] countSeries(SplittableRandom r, long events, boolean seasonal) {
        double[] v = new double[DAYS * 1440];
        for (int i = 0; i < v.length; i++) {
            v[i] = Draws.poisson(r, events * (seasonal ? 1 + 0.5 * cycle(i) : 1));
        }
        return v;
    }

    /** One series under every name the rules read. */
    static SeriesSource source(long[] times, Map<String, double[]> byName) {
        Map<String, RangeSeries> series = new java.util.HashMap<>();
        byName.forEach((name, values) -> series.put(name, new RangeSeries(SeriesLabels.metric(name, Map.of()), times,
                values)));
        return (String name, List<LabelMatcher> matchers, long from, long to) -> {
            RangeSeries all = series.get(name);
            if (all == null) {
                return List.of();
            }
            double[] values = all.values();
            int a = all.firstAfter(from);
            int b = all.firstAfter(to);
            if (a >= b) {
                return List.of();
            }
            return List.of(new RangeSeries(all.labels(), Arrays.copyOfRange(times, a, b), Arrays.copyOfRange(values, a, b)));
        };
    }

    /** Evaluations of {@code expr} whose result is non-empty, of the last 3 days' evaluations. */
    static boolean[] evaluate(RuleExpression expr, SeriesSource source) {
        int first = HISTORY_DAYS * 1440;
        int n = DAYS * 1440 - first;
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = !expr.evaluate(source, (first + i + 1) * MINUTE).isEmpty();
        }
        return out;
    }

    /** Whether the condition holds at {@code forMinutes + 1} consecutive evaluations somewhere. */
    static int firings(boolean[] condition, int forMinutes) {
        int run = 0;
        int fired = 0;
        for (boolean c : condition) {
            run = c ? run + 1 : 0;
            if (run == forMinutes + 1) {
                fired++;
            }
        }
        return fired;
    }

    static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }
}
