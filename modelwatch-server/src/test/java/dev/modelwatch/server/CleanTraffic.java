package dev.modelwatch.server;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Prediction events of one unchanging distribution, for a binary model with 20 features chosen to be
 * hard on false alarms: four correlated normals and four more, four lognormals, a count, a 97/3 flag,
 * a normal missing in 5% of events, one that is NaN once in 10,000, an optional field present in 2% of
 * events, and three categoricals (4 categories, 20 Zipf-distributed ones, a 2,000-category long tail).
 * Scores are Beta(2, 2), miscalibrated (positive with probability {@code score^1.5}), latencies
 * lognormal around 20 ms. The reference is the same distribution, as CSV rows with labels.
 */
final class CleanTraffic {
    static final String[] FEATURES = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "l0", "l1", "l2", "l3", "count",
        "flag", "missing", "rare_nan", "optional", "device", "country", "tail"};
    private static final String[] DEVICES = {"ios", "android", "web", "tv"};
    private static final double[] DEVICE_CDF = {0.5, 0.8, 0.95, 1};
    private static final double[] COUNTRY_CDF = zipf(20, 1.0);
    private static final double[] TAIL_CDF = zipf(2_000, 1.1);

    private final SplittableRandom random;

    CleanTraffic(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The cumulative shares of ranks 1..n with weights {@code rank^-exponent}. */
    private static double[] zipf(int n, double exponent) {
        double[] cdf = java.util.stream.IntStream.rangeClosed(1, n).mapToDouble(r -> Math.pow(r, -exponent)).toArray();
        java.util.Arrays.parallelPrefix(cdf, Double::sum);
        double total = cdf[n - 1];
        return java.util.Arrays.stream(cdf).map(c -> c / total).toArray();
    }

    /** The index whose cumulative share first reaches a uniform draw. */
    private int pick(double[] cdf) {
        int at = java.util.Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(cdf.length - 1, at >= 0 ? at : -at - 1);
    }

    private double gaussian() {
        return random.nextGaussian();
    }

    private double beta22() {
        double a = -Math.log(1 - random.nextDouble()) - Math.log(1 - random.nextDouble());
        double b = -Math.log(1 - random.nextDouble()) - Math.log(1 - random.nextDouble());
        return a / (a + b);
    }

    /** One row: the 20 feature values as JSON or CSV cells (null for missing), the score and the label. */
    private record Row(String[] values, double score, int label) {
    }

    private Row row() {
        String[] v = new String[FEATURES.length];
        double shared = gaussian();
        for (int i = 0; i < 4; i++) {
            v[i] = number(10 * i + 0.8 * shared + 0.6 * gaussian());
        }
        for (int i = 4; i < 8; i++) {
            v[i] = number(100 + 15 * gaussian());
        }
        for (int i = 8; i < 12; i++) {
            v[i] = number(Math.exp(3 + gaussian()));
        }
        v[12] = Long.toString(poisson3());
        v[13] = random.nextDouble() < 0.97 ? "1" : "0";
        v[14] = random.nextDouble() < 0.05 ? null : number(gaussian());
        v[15] = random.nextDouble() < 1e-4 ? "NaN" : number(gaussian());
        v[16] = random.nextDouble() < 0.02 ? number(gaussian()) : "";
        v[17] = "\"" + DEVICES[pick(DEVICE_CDF)] + "\"";
        v[18] = "\"c" + pick(COUNTRY_CDF) + "\"";
        v[19] = "\"t" + pick(TAIL_CDF) + "\"";
        double score = beta22();
        int label = random.nextDouble() < Math.pow(score, 1.5) ? 1 : 0;
        return new Row(v, score, label);
    }

    private long poisson3() {
        double l = Math.exp(-3);
        long k = 0;
        double p = random.nextDouble();
        double term = l;
        double cumulative = term;
        while (p > cumulative) {
            k++;
            term *= 3.0 / k;
            cumulative += term;
        }
        return k;
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** {@code rows} reference rows as a JSON body {@code {"rows": [...]}} (the optional field only where present). */
    String referenceJson(int rows) {
        StringBuilder b = new StringBuilder(rows * 420).append("{\"rows\":[");
        for (int r = 0; r < rows; r++) {
            Row row = row();
            b.append(r == 0 ? "" : ",").append("{\"features\":");
            features(b, row);
            b.append(",\"score\":").append(number(row.score())).append(",\"prediction\":")
                    .append(row.score() >= 0.5 ? "\"1\"" : "\"0\"").append(",\"label\":").append(row.label()).append('}');
        }
        return b.append("]}").toString();
    }

    private static void features(StringBuilder b, Row row) {
        b.append('{');
        boolean first = true;
        for (int i = 0; i < FEATURES.length; i++) {
            String v = row.values()[i];
            if (v != null && v.isEmpty()) {
                continue; // the optional field, absent from this event
            }
            b.append(first ? "" : ",").append('"').append(FEATURES[i]).append("\":").append(v == null ? "null" : v);
            first = false;
        }
        b.append('}');
    }

    /**
     * {@code count} predictions of model {@code model} at times spread over {@code [fromMs, fromMs +
     * spanMs)}, ids {@code prefix-i}, as NDJSON; {@code labels} gets the matching label events.
     */
    String predictions(String model, String prefix, int count, long fromMs, long spanMs, StringBuilder labels) {
        StringBuilder b = new StringBuilder(count * 420);
        for (int i = 0; i < count; i++) {
            Row row = row();
            String id = prefix + "-" + i;
            long ts = fromMs + (long) ((double) i * spanMs / count);
            b.append("{\"type\":\"prediction\",\"model\":\"").append(model).append("\",\"id\":\"").append(id)
                    .append("\",\"timestamp\":").append(ts).append(",\"features\":");
            features(b, row);
            b.append(",\"score\":").append(number(row.score())).append(",\"prediction\":")
                    .append(row.score() >= 0.5 ? "\"1\"" : "\"0\"").append(",\"latency_ms\":")
                    .append(number(Math.exp(Math.log(20) + 0.5 * gaussian()))).append("}\n");
            labels.append("{\"type\":\"label\",\"model\":\"").append(model).append("\",\"id\":\"").append(id)
                    .append("\",\"label\":").append(row.label()).append(",\"timestamp\":").append(ts).append("}\n");
        }
        return b.toString();
    }
}
