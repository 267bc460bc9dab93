package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.List;

/**
 * An alert label or annotation value with Go-template actions, the subset of Prometheus alert
 * templates that rule authors use, parsed (and checked) when the rule is loaded and expanded for
 * each alert instance.
 *
 * <p>Actions, between {@code {{ }}}:
 * <ul>
 *   <li>{@code {{ $labels.model }}} (or {@code {{ .Labels.model }}}): the value of label
 *       {@code model} of the result series; empty when the series has no such label (as Prometheus,
 *       whose {@code $labels} is a string map).</li>
 *   <li>{@code {{ $value }}} (or {@code {{ .Value }}}): the series' value, written as Go's
 *       {@code %v} writes a float64 ({@code 0.7}, {@code 123456}, {@code 1e+06}, {@code NaN}).</li>
 *   <li>{@code {{ $value | printf "%.3f" }}}, {@code {{ printf "%s is %.1f%%" $labels.model $value }}}:
 *       Go's {@code printf} with the verbs {@link GoFormat} supports; a piped value is the last
 *       argument, as in Go.</li>
 *   <li>a comment action (slash-star ... star-slash) is dropped; the trim markers
 *       <code>{{-&nbsp;</code> and <code>&nbsp;-}}</code> remove the white space before and after the
 *       action, as in Go.</li>
 * </ul>
 * Anything else ({@code humanize}, {@code if}, {@code range}, {@code $externalLabels}, an unclosed
 * action, a {@code printf} whose verbs do not fit its arguments) is refused by {@link #parse(String)}
 * with an {@link IllegalArgumentException} that names the 1-based column, so that a bad template is
 * reported when the rule is loaded, never when the alert fires.
 *
 * <p>Immutable; equal when the source text is equal.
 *
 * <p>Usage:
 * <pre>{@code
 * AnnotationTemplate t = AnnotationTemplate.parse("accuracy of {{ $labels.model }} is {{ $value | printf \"%.3f\" }}");
 * t.expand(SeriesLabels.of("model", "fraud"), 0.71234);   // "accuracy of fraud is 0.712"
 * }</pre>
 */
public final class AnnotationTemplate {
    /** One operand: a label of the series, or its value. */
    private record Operand(String label) {
        boolean isValue() {
            return label == null;
        }

        Object resolve(SeriesLabels labels, double value) {
            if (isValue()) {
                return value;
            }
            String v = labels.get(label);
            return v == null ? "" : v;
        }
    }

    /** Literal text or an action: {@code printf format args}, or a single operand when format is null. */
    private record Part(String text, GoFormat format, List<Operand> args) {
    }

    private final String source;
    private final List<Part> parts;

    private AnnotationTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException with the reason and the 1-based column of the first problem
     */
    public static AnnotationTemplate parse(String source) {
        if (source == null) {
            throw new IllegalArgumentException("template must not be null");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            int open = source.indexOf("{{", i);
            if (open < 0) {
                text.append(source, i, source.length());
                break;
            }
            text.append(source, i, open);
            int close = source.indexOf("}}", open + 2);
            if (close < 0) {
                throw error(source, open, "unclosed action: '{{' without '}}'");
            }
            int bodyStart = open + 2;
            int bodyEnd = close;
            if (bodyStart < bodyEnd && source.charAt(bodyStart) == '-' && bodyStart + 1 < bodyEnd
                    && Character.isWhitespace(source.charAt(bodyStart + 1))) {
                trimTrailing(text);
                bodyStart++;
            }
            boolean trimAfter = false;
            if (bodyEnd - 1 > bodyStart && source.charAt(bodyEnd - 1) == '-'
                    && Character.isWhitespace(source.charAt(bodyEnd - 2))) {
                trimAfter = true;
                bodyEnd--;
            }
            String body = source.substring(bodyStart, bodyEnd);
            String trimmed = body.trim();
            if (!(trimmed.startsWith("/*") && trimmed.endsWith("*/") && trimmed.length() >= 4)) {
                if (text.length() > 0) {
                    parts.add(new Part(text.toString(), null, null));
                    text.setLength(0);
                }
                parts.add(action(source, body, bodyStart));
            }
            i = close + 2;
            if (trimAfter) {
                while (i < source.length() && Character.isWhitespace(source.charAt(i))) {
                    i++;
                }
            }
        }
        if (text.length() > 0) {
            parts.add(new Part(text.toString(), null, null));
        }
        return new AnnotationTemplate(source, List.copyOf(parts));
    }

    private static void trimTrailing(StringBuilder sb) {
        int n = sb.length();
        while (n > 0 && Character.isWhitespace(sb.charAt(n - 1))) {
            n--;
        }
        sb.setLength(n);
    }

    private static IllegalArgumentException error(String source, int index, String why) {
        return new IllegalArgumentException("template \"" + source + "\": " + why + " at column " + (index + 1));
    }

    /** A token of an action: its text, its kind, and its offset in the template. */
    private record Token(String text, char kind, int at) {
        // kinds: 'v' variable or field chain, 'i' identifier, 's' string literal (text unquoted), '|' pipe
    }

    private static Part action(String source, String body, int offset) {
        List<Token> tokens = tokenize(source, body, offset);
        if (tokens.isEmpty()) {
            throw error(source, offset - 2, "empty action '{{}}'");
        }
        // split into pipeline stages
        List<List<Token>> stages = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        for (Token t : tokens) {
            if (t.kind == '|') {
                if (current.isEmpty()) {
                    throw error(source, t.at, "'|' without a value before it");
                }
                stages.add(current);
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
        }
        if (current.isEmpty()) {
            throw error(source, tokens.get(tokens.size() - 1).at, "'|' without a function after it");
        }
        stages.add(current);
        if (stages.size() > 2) {
            throw error(source, stages.get(2).get(0).at, "only one '| printf \"...\"' stage is supported");
        }
        List<Token> first = stages.get(0);
        Operand piped = null;
        if (stages.size() == 2) {
            if (first.size() != 1) {
                throw error(source, first.get(first.size() > 1 ? 1 : 0).at, "unexpected '" + text(first, 1) + "'");
            }
            piped = operand(source, first.get(0));
            first = stages.get(1);
        }
        Token head = first.get(0);
        if (head.kind == 'i') {
            if (!head.text.equals("printf")) {
                throw error(source, head.at, "function '" + head.text + "' is not supported (supported: printf)");
            }
            if (first.size() < 2 || first.get(1).kind != 's') {
                throw error(source, head.at, "printf needs a format string: printf \"%.3f\"");
            }
            GoFormat format;
            try {
                format = GoFormat.parse(first.get(1).text);
            } catch (IllegalArgumentException e) {
                throw error(source, first.get(1).at, e.getMessage());
            }
            List<Operand> args = new ArrayList<>();
            for (int k = 2; k < first.size(); k++) {
                args.add(operand(source, first.get(k)));
            }
            if (piped != null) {
                args.add(piped);
            }
            List<GoFormat.ArgType> types = format.argTypes();
            if (types.size() != args.size()) {
                throw error(source, head.at, "printf \"" + format.source() + "\" takes " + types.size()
                        + " argument(s), was given " + args.size());
            }
            for (int k = 0; k < types.size(); k++) {
                Operand a = args.get(k);
                if (types.get(k) == GoFormat.ArgType.FLOAT && !a.isValue()) {
                    throw error(source, head.at, "printf \"" + format.source() + "\": argument " + (k + 1)
                            + " is a label (a string) but its verb needs a number; use %s");
                }
                if (types.get(k) == GoFormat.ArgType.STRING && a.isValue()) {
                    throw error(source, head.at, "printf \"" + format.source() + "\": argument " + (k + 1)
                            + " is $value (a number) but its verb is %s; use %v or %f");
                }
            }
            return new Part(null, format, List.copyOf(args));
        }
        if (piped != null) {
            throw error(source, head.at, "after '|' a function is expected (printf), was '" + head.text + "'");
        }
        if (first.size() != 1) {
            throw error(source, first.get(1).at, "unexpected '" + first.get(1).text + "' after an operand");
        }
        return new Part(null, null, List.of(operand(source, head)));
    }

    private static String text(List<Token> ts, int i) {
        return i < ts.size() ? ts.get(i).text : "";
    }

    private static Operand operand(String source, Token t) {
        if (t.kind == 's') {
            throw error(source, t.at, "string literals are only supported as printf formats");
        }
        if (t.kind == 'i') {
            throw error(source, t.at, "function '" + t.text + "' is not supported here; expected $labels.<name> or $value");
        }
        String v = t.text;
        if (v.equals("$value") || v.equals(".Value")) {
            return new Operand(null);
        }
        String prefix = v.startsWith("$labels.") ? "$labels." : v.startsWith(".Labels.") ? ".Labels." : null;
        if (prefix != null) {
            String name = v.substring(prefix.length());
            if (!SeriesLabels.isLabelName(name)) {
                throw error(source, t.at, "'" + name + "' is not a label name");
            }
            return new Operand(name);
        }
        if (v.equals("$labels") || v.equals(".Labels")) {
            throw error(source, t.at, "$labels needs a label name: $labels.<name>");
        }
        throw error(source, t.at, "unknown variable '" + v + "' (supported: $labels.<name>, $value)");
    }

    private static List<Token> tokenize(String source, String body, int offset) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '|') {
                out.add(new Token("|", '|', offset + i));
                i++;
            } else if (c == '"') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                while (j < body.length()) {
                    char d = body.charAt(j);
                    if (d == '"') {
                        closed = true;
                        break;
                    }
                    if (d == '\\' && j + 1 < body.length()) {
                        char e = body.charAt(j + 1);
                        int decoded = dev.modelwatch.server.alert.lifecycle.StringEscapes.decode(e);
                        if (decoded < 0) {
                            throw error(source, offset + j, "unsupported escape '\\" + e + "' in a string");
                        }
                        sb.append((char) decoded);
                        j += 2;
                        continue;
                    }
                    sb.append(d);
                    j++;
                }
                if (!closed) {
                    throw error(source, offset + i, "unterminated string");
                }
                out.add(new Token(sb.toString(), 's', offset + i));
                i = j + 1;
            } else if (c == '`') {
                int j = body.indexOf('`', i + 1);
                if (j < 0) {
                    throw error(source, offset + i, "unterminated raw string");
                }
                out.add(new Token(body.substring(i + 1, j), 's', offset + i));
                i = j + 1;
            } else if (c == '$' || c == '.' || Character.isLetter(c) || c == '_') {
                int j = i + 1;
                while (j < body.length() && (Character.isLetterOrDigit(body.charAt(j)) || body.charAt(j) == '_'
                        || body.charAt(j) == '.')) {
                    j++;
                }
                String word = body.substring(i, j);
                out.add(new Token(word, c == '$' || c == '.' ? 'v' : 'i', offset + i));
                i = j;
            } else {
                throw error(source, offset + i, "unexpected '" + c + "'");
            }
        }
        return out;
    }

    /** The text as written. */
    public String source() {
        return source;
    }

    /** Whether the template has no actions (it expands to itself). */
    public boolean isConstant() {
        for (Part p : parts) {
            if (p.text == null) {
                return false;
            }
        }
        return true;
    }

    /** The text for a series with {@code labels} and {@code value}. */
    public String expand(SeriesLabels labels, double value) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p.text != null) {
                sb.append(p.text);
            } else if (p.format == null) {
                Object o = p.args.get(0).resolve(labels, value);
                sb.append(o instanceof Double ? GoFormat.formatValue((Double) o) : (String) o);
            } else {
                List<Object> args = new ArrayList<>(p.args.size());
                for (Operand a : p.args) {
                    args.add(a.resolve(labels, value));
                }
                sb.append(p.format.apply(args));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnnotationTemplate && ((AnnotationTemplate) o).source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}
