package dev.modelwatch.core.rules;

/**
 * The one duration grammar of the project, Prometheus's: an integer and a unit, repeated, units
 * {@code y w d h m s ms} from largest to smallest, each at most once ({@code 1h30m}, {@code 5m},
 * {@code 1d}, {@code 1w}, {@code 1y}, {@code 100ms}), or {@code 0}. A year is 365 days and a week 7
 * days, as in Prometheus. Rule expressions ({@code x[5m]}), configuration values and query parameters
 * all read durations through this class.
 *
 * <p>Usage:
 * <pre>{@code
 * long ms = Durations.parseMillis("1h30m");   // 5_400_000
 * Durations.parseMillis("1s1h");              // IllegalArgumentException: invalid duration '1s1h': units must go ...
 * Durations.format(5_400_000);                // "1h30m"
 * }</pre>
 */
public final class Durations {
    /** The units, largest first. */
    private enum Unit {
        YEAR("y", 365 * 86_400_000L), WEEK("w", 7 * 86_400_000L), DAY("d", 86_400_000L), HOUR("h", 3_600_000L),
        MINUTE("m", 60_000L), SECOND("s", 1_000L), MILLISECOND("ms", 1L);

        final String symbol;
        final long millis;

        Unit(String symbol, long millis) {
            this.symbol = symbol;
            this.millis = millis;
        }
    }

    /** The units as problem messages list them. */
    static final String UNITS = "y, w, d, h, m, s, ms";

    private Durations() {
    }

    /**
     * The length of {@code text} (surrounding white space ignored) in milliseconds.
     *
     * @throws IllegalArgumentException {@code invalid duration 'TEXT': REASON}, the reason being a
     *                                  unit out of order or repeated, a missing or unknown unit, or an
     *                                  overflow of {@code Long.MAX_VALUE} milliseconds
     */
    public static long parseMillis(String text) {
        if (text == null) {
            throw new IllegalArgumentException("invalid duration: null");
        }
        String t = text.strip();
        if (t.equals("0")) {
            return 0;
        }
        String problem = problem(t);
        if (problem != null) {
            throw new IllegalArgumentException("invalid duration '" + t + "': " + problem);
        }
        return millisOf(t);
    }

    /** Whether {@link #parseMillis(String)} reads {@code text}. */
    public static boolean isValid(String text) {
        if (text == null) {
            return false;
        }
        String t = text.strip();
        return t.equals("0") || problem(t) == null;
    }

    /** Why {@code t} (not {@code 0}) is not a duration, or null when it is one. */
    static String problem(String t) {
        if (t.isEmpty()) {
            return "empty";
        }
        int pos = 0;
        int lastUnit = -1;
        long total = 0;
        while (pos < t.length()) {
            int digits = pos;
            while (pos < t.length() && isDigit(t.charAt(pos))) {
                pos++;
            }
            if (pos == digits && pos > 0) {
                return "units are " + UNITS;
            }
            if (pos == digits) {
                return "expected a number at '" + t.substring(pos) + "'; units are " + UNITS;
            }
            Unit unit = unitAt(t, pos);
            if (unit == null) {
                return "units are " + UNITS;
            }
            pos += unit.symbol.length();
            if (unit.ordinal() <= lastUnit) {
                return "units must go from largest to smallest, each at most once";
            }
            lastUnit = unit.ordinal();
            try {
                total = Math.addExact(total, Math.multiplyExact(Long.parseLong(t.substring(digits, pos - unit.symbol.length())),
                        unit.millis));
            } catch (ArithmeticException | NumberFormatException e) {
                return "too large";
            }
        }
        return null;
    }

    private static long millisOf(String t) {
        long total = 0;
        int pos = 0;
        while (pos < t.length()) {
            int digits = pos;
            while (isDigit(t.charAt(pos))) {
                pos++;
            }
            Unit unit = unitAt(t, pos);
            total += Long.parseLong(t.substring(digits, pos)) * unit.millis;
            pos += unit.symbol.length();
        }
        return total;
    }

    private static Unit unitAt(String t, int i) {
        if (t.startsWith("ms", i)) {
            return Unit.MILLISECOND;
        }
        if (i >= t.length()) {
            return null;
        }
        for (Unit u : Unit.values()) {
            if (u.symbol.length() == 1 && t.charAt(i) == u.symbol.charAt(0)) {
                return u;
            }
        }
        return null;
    }

    /** Whether {@code c} can start a unit ({@code y w d h m s}). */
    static boolean isUnitStart(char c) {
        return "ywdhms".indexOf(c) >= 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * {@code ms} as {@code 1w2d3h4m5s6ms}: largest units first, zero units left out, {@code 0s} for
     * zero, a minus sign before a negative one. Years are not written (365 days read as {@code 52w1d}),
     * so that the text of windows, steps and rule ranges stays as it has always been printed.
     */
    public static String format(long ms) {
        if (ms == 0) {
            return "0s";
        }
        if (ms < 0) {
            return "-" + format(-ms);
        }
        StringBuilder sb = new StringBuilder();
        long rest = ms;
        for (Unit u : Unit.values()) {
            if (u == Unit.YEAR) {
                continue;
            }
            long n = rest / u.millis;
            if (n > 0) {
                sb.append(n).append(u.symbol);
                rest -= n * u.millis;
            }
        }
        return sb.toString();
    }
}
