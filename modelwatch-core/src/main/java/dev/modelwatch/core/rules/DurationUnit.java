package dev.modelwatch.core.rules;

/**
 * The units of duration literals, largest first: a compound duration must use them in this order,
 * each at most once ({@code 1h30m}, not {@code 30m1h}).
 */
enum DurationUnit {
    WEEK("w", 7 * 86_400_000L), DAY("d", 86_400_000L), HOUR("h", 3_600_000L), MINUTE("m", 60_000L),
    SECOND("s", 1_000L), MILLISECOND("ms", 1L);

    private final String symbol;
    private final long millis;

    DurationUnit(String symbol, long millis) {
        this.symbol = symbol;
        this.millis = millis;
    }

    String symbol() {
        return symbol;
    }

    long millis() {
        return millis;
    }
}
