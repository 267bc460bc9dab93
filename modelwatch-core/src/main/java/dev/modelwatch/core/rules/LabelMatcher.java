package dev.modelwatch.core.rules;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A condition on one label of a series, as in a PromQL selector {@code name{label="value"}}:
 * {@code =} (equal), {@code !=} (not equal), {@code =~} (matches the regular expression),
 * {@code !~} (does not match).
 *
 * <p>Regular expressions are Java {@link Pattern}s matched against the <em>whole</em> label value
 * (PromQL anchors its RE2 expressions the same way: {@code model=~"fr.*"} matches {@code fraud}, not
 * {@code antifraud}); the pattern is compiled once, when the matcher is made, and an invalid one is
 * rejected there. A series without the label matches as if its value were the empty string, so
 * {@code region=""} selects series without {@code region} and {@code region!=""} those with it.
 *
 * <p>Usage:
 * <pre>{@code
 * LabelMatcher m = LabelMatcher.of("model", LabelMatcher.Type.REGEX, "fraud|churn");
 * m.matches(seriesLabels);
 * }</pre>
 */
public final class LabelMatcher {
    /** The matching operator. */
    public enum Type {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        private final String symbol;

        Type(String symbol) {
            this.symbol = symbol;
        }

        /** The operator as written in a selector. */
        public String symbol() {
            return symbol;
        }
    }

    private final String name;
    private final Type type;
    private final String value;
    private final Pattern pattern;

    private LabelMatcher(String name, Type type, String value) {
        if (!SeriesLabels.isLabelName(name)) {
            throw new IllegalArgumentException("name '" + name + "' must match [a-zA-Z_][a-zA-Z0-9_]*");
        }
        if (type == null) {
            throw new IllegalArgumentException("type must not be null");
        }
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        this.name = name;
        this.type = type;
        this.value = value;
        this.pattern = type == Type.REGEX || type == Type.NOT_REGEX ? Pattern.compile(value) : null;
    }

    /**
     * A matcher of label {@code name}.
     *
     * @throws PatternSyntaxException   for a regex type with an invalid expression
     * @throws IllegalArgumentException for an invalid label name or a null argument
     */
    public static LabelMatcher of(String name, Type type, String value) {
        return new LabelMatcher(name, type, value);
    }

    /** {@code name="value"}. */
    public static LabelMatcher equal(String name, String value) {
        return new LabelMatcher(name, Type.EQUAL, value);
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public String value() {
        return value;
    }

    /** Whether a label value (null: the label is absent, matched as "") satisfies this matcher. */
    public boolean matches(String labelValue) {
        String v = labelValue == null ? "" : labelValue;
        switch (type) {
            case EQUAL:
                return v.equals(value);
            case NOT_EQUAL:
                return !v.equals(value);
            case REGEX:
                return pattern.matcher(v).matches();
            default:
                return !pattern.matcher(v).matches();
        }
    }

    /** Whether the series' label {@link #name()} satisfies this matcher. */
    public boolean matches(SeriesLabels labels) {
        return matches(labels.get(name));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LabelMatcher)) {
            return false;
        }
        LabelMatcher m = (LabelMatcher) o;
        return name.equals(m.name) && type == m.type && value.equals(m.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, value);
    }

    /** {@code name op "value"} as written in a selector, the value quoted and escaped. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(type.symbol);
        appendQuoted(sb, value);
        return sb.toString();
    }

    /** Appends {@code s} in double quotes, escaping backslash, quote and control characters. */
    static void appendQuoted(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\':
                    sb.append("\\\\");
                    break;
                case '"':
                    sb.append("\\\"");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
