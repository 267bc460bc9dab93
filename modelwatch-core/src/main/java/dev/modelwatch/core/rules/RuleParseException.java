package dev.modelwatch.core.rules;

/**
 * A rule expression that cannot be parsed or does not type-check. The message reads
 * {@code "<reason> at column <n>"}, followed by {@code "; <hint>"} where there is one, e.g.
 * {@code expected ')' at column 17} or
 * {@code unknown function 'avg_over_tim' at column 1; did you mean avg_over_time?}.
 */
public final class RuleParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final int column;
    private final String hint;

    /**
     * @param reason what is wrong
     * @param column 1-based column (character index + 1) in the expression; the expression's length + 1
     *               for its end
     * @param hint   a suggestion, or null
     */
    public RuleParseException(String reason, int column, String hint) {
        super(reason + " at column " + column + (hint == null ? "" : "; " + hint));
        if (column < 1) {
            throw new IllegalArgumentException("column must be >= 1, was " + column);
        }
        this.reason = reason;
        this.column = column;
        this.hint = hint;
    }

    public RuleParseException(String reason, int column) {
        this(reason, column, null);
    }

    public String reason() {
        return reason;
    }

    /** 1-based column of the offending token. */
    public int column() {
        return column;
    }

    /** A suggestion, or null. */
    public String hint() {
        return hint;
    }
}
