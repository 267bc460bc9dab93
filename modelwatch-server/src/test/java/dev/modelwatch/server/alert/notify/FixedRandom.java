package dev.modelwatch.server.alert.notify;

import java.util.random.RandomGenerator;

/** A random source whose {@code nextDouble()} is always {@code u}: makes jitter a table entry. */
final class FixedRandom implements RandomGenerator {
    private final double u;

    FixedRandom(double u) {
        this.u = u;
    }

    @Override
    public double nextDouble() {
        return u;
    }

    @Override
    public long nextLong() {
        throw new UnsupportedOperationException("only nextDouble is used");
    }
}
