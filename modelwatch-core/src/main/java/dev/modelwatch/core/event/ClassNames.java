package dev.modelwatch.core.event;

/**
 * Canonical class names, so that a label sent as {@code 1}, {@code 1.0} or {@code "1"} and a
 * prediction sent as any of those denote the same class.
 */
public final class ClassNames {
    private ClassNames() {
    }

    public static String of(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            long v = (long) value;
            // class numbers are small: one shared string each instead of a new one every event
            return v >= 0 && v < SMALL.length ? SMALL[(int) v] : Long.toString(v);
        }
        return Double.toString(value);
    }

    private static final String[] SMALL = new String[1024];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = Integer.toString(i);
        }
    }
}
