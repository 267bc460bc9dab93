package dev.modelwatch.core.training;

/** An exponentially weighted moving average {@code m <- m + alpha (x - m)}, seeded by its first value. */
public final class Ewma {
    private final double alpha;
    private double mean = Double.NaN;
    private long n;

    Ewma(double alpha) {
        this.alpha = alpha;
    }

    /** An average with {@code alpha} continuing from {@code s} (a fresh one when {@code s} is null). */
    static Ewma of(double alpha, State s) {
        Ewma e = new Ewma(alpha);
        if (s != null) {
            e.mean = s.mean();
            e.n = s.n();
        }
        return e;
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

    State state() {
        return new State(mean, n);
    }

    /** The average and the number of values it has seen. */
    public record State(double mean, long n) {
    }
}
