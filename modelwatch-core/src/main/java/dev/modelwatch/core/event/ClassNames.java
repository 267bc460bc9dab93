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
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
