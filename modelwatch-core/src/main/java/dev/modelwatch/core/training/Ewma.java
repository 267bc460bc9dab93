package dev.modelwatch.core.training;

/** An exponentially weighted moving average {@code m <- m + alpha (x - m)}, seeded by its first value. */
final class Ewma {
    private final double alpha;
    private double mean = Double.NaN;
    private long n;

    Ewma(double alpha) {
        this.alpha = alpha;
    }

    double add(double x) {
        mean = n == 0 ? x : mean + alpha * (x - mean);
        n++;
        return mean;
    }

    double mean() {
        return mean;
    }

    long count() {
        return n;
    }
}
