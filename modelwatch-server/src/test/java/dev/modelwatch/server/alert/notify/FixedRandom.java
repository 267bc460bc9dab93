package dev.modelwatch.server.alert.notify;

import java.util.random.RandomGenerator;

/**
 * A random source that always draws {@code u} from [0, 1): makes jitter a table entry. Every draw
 * derives from {@code nextLong()}, whose top 53 bits are {@code u}'s, so {@code nextDouble()} is
 * exactly {@code u} (RandomGenerator's own conversion).
 */
final class FixedRandom implements RandomGenerator {
    private final long bits;

    FixedRandom(double u) {
        if (!(u >= 0 && u < 1)) {
            throw new IllegalArgumentException("u must be in [0, 1), was " + u);
        }
        this.bits = (long) (u * 0x1.0p53) << 11;
    }

    @Override
    public long nextLong() {
        return bits;
    }
}
