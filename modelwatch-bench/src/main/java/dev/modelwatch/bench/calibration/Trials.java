package dev.modelwatch.bench.calibration;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Runs independent trials on a thread pool and collects their results in trial order; trial
 * {@code i} must seed its own randomness from {@code i}, so that the figures do not depend on the
 * number of threads.
 */
public final class Trials {
    private final ExecutorService pool;

    public Trials(ExecutorService pool) {
        this.pool = pool;
    }

    public <T> List<T> run(int count, IntFunction<T> trial) {
        List<Future<T>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            futures.add(pool.submit(() -> trial.apply(index)));
        }
        List<T> out = new ArrayList<>(count);
        try {
            for (Future<T> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a trial failed: " + e.getCause(), e.getCause());
        }
        return out;
    }

    /**
     * The one-sided 95% upper Clopper–Pearson bound of a rate observed as {@code k} of {@code n}: the
     * tables print it next to the rate, so that "0 of 300" reads as "at most 1%".
     */
    public static double upperBound(long k, long n) {
        if (n == 0) {
            return 1;
        }
        if (k >= n) {
            return 1;
        }
        return new org.apache.commons.math3.distribution.BetaDistribution(null, k + 1, n - k)
                .inverseCumulativeProbability(0.95);
    }
}
