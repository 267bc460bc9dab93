package dev.modelwatch.server.alert.template;

/**
 * A template that cannot be parsed, with the 1-based line and column of the problem, thrown by
 * {@link GoTemplate#parse} when the configuration is loaded (never when a notification is sent).
 * The message reads {@code line 1, column 12: unknown field .Foo (...)}.
 */
public final class TemplateSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String reason;

    public TemplateSyntaxException(int line, int column, String reason) {
        super("line " + line + ", column " + column + ": " + reason);
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The problem without its position. */
    public String reason() {
        return reason;
    }
}
