package dev.modelwatch.server.alert.template;

import dev.modelwatch.server.alert.template.TemplateLexer.Item;
import dev.modelwatch.server.alert.template.TemplateType.Kind;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The one template engine of the server: the subset of Go's {@code text/template} that Prometheus rule
 * annotations and Alertmanager notification templates are written in, over values whose static
 * {@link TemplateType} is known when the template is parsed. A syntax error, an unknown field,
 * variable or function, or a value used where it does not fit is a {@link TemplateSyntaxException}
 * naming the line and column when the configuration is loaded, so that rendering never fails.
 * Its output is checked against Go's own {@code text/template} by the fixtures in
 * {@code src/test/resources/fixtures/gotemplate} (the Go program that wrote them is beside them).
 *
 * <p>The language:
 * <ul>
 *   <li>Text, and actions between <code>{{ }}</code>; <code>{{-&nbsp;</code> / <code>&nbsp;-}}</code>
 *       trim the white space before / after the action; comments (slash-star ... star-slash) are
 *       dropped.</li>
 *   <li>Values: the dot ({@code .}), fields ({@code .Status}, {@code .Labels.model}, chains from the
 *       dot), {@code $} (the root value) and {@code $.Field}, the root type's variables
 *       ({@code $labels}, {@code $value} for annotations), string literals ({@code "..."} with
 *       {@code \n \t \\ \"} escapes, or {@code `raw`}), integers ({@code 3}), floats ({@code 0.5},
 *       {@code 1e3}), {@code true} and {@code false}. A label map's missing label is "" (Go's
 *       {@code map[string]string}).</li>
 *   <li>{@code {{ if P }}...{{ else if P }}...{{ else }}...{{ end }}} and
 *       {@code {{ range LIST }}...{{ else }}...{{ end }}} (the dot is each element; {@code $} stays the
 *       root). A value is true when it is a true boolean, a non-zero number, or a non-empty string,
 *       label map or list.</li>
 *   <li>Functions, as Go's: {@code len} (bytes of a string in UTF-8, entries of a list or label map),
 *       {@code index} (a label by name, an element by position), {@code eq a b...} (a equals any of
 *       the others), {@code ne}, {@code lt le gt ge} (two values of one type, integers, floats or
 *       strings: Go refuses to compare an integer with a float), {@code not}, {@code and}, {@code or}
 *       (the first false (and) or true (or) argument, else the last, short-circuited), {@code printf}
 *       (see {@link GoFormat}); and Alertmanager's {@code toUpper}, {@code toLower}, {@code title},
 *       {@code values} (of a label map, in name order, space-separated). Pipes pass the value as the
 *       last argument; parentheses group.</li>
 * </ul>
 * Deliberate differences from Go, each pinned by a fixture marked so: a label map prints as
 * {@code {name="value", ...}} (Prometheus's notation, which notifications have always shown) where Go
 * writes {@code map[name:value ...]}; {@code and}/{@code or} of arguments of different types give
 * a boolean; {@code with}, {@code define}, {@code template}, {@code block}, {@code break},
 * {@code continue} and user variables ({@code $x := ...}) are refused when parsing. Printed values are
 * passed through the caller's escaping (HTML e-mail, Slack); the template's own text is not.
 *
 * <p>Immutable and thread-safe. Usage:
 * <pre>{@code
 * GoTemplate t = GoTemplate.parse("{{ .Status | toUpper }}: {{ len .Alerts }} alert(s)", notificationType);
 * String title = t.render(data, UnaryOperator.identity());
 * }</pre>
 */
public final class GoTemplate {
    private final String source;
    private final List<Node> nodes;

    private GoTemplate(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    /**
     * Parses and type-checks a template whose root value (the first dot, and {@code $}) is of type
     * {@code root}.
     *
     * @throws TemplateSyntaxException with the line and column of the first problem
     */
    public static GoTemplate parse(String source, TemplateType root) {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        List<Item> items = new TemplateLexer.Lexer(source).items();
        TemplateParser.Parser p = new TemplateParser.Parser(source, items, root);
        List<Node> nodes = p.parseList(root);
        if (p.terminator != null) {
            Item t = p.terminator;
            throw p.error(t.pos(), "unexpected {{ " + t.tokens().get(0).text() + " }} without {{ if }} or {{ range }}");
        }
        return new GoTemplate(source, List.copyOf(nodes));
    }

    /** The text as written. */
    public String source() {
        return source;
    }

    /** Whether the template has no actions: it renders as its text. */
    public boolean isConstant() {
        for (Node n : nodes) {
            if (!(n instanceof Text)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The text for {@code root} (a value of the root type given to {@link #parse}), each printed
     * value passed through {@code escaping}.
     */
    public String render(Object root, UnaryOperator<String> escaping) {
        StringBuilder out = new StringBuilder();
        renderAll(nodes, new Scope(root, root, escaping), out);
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoTemplate && ((GoTemplate) o).source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }

    // ---------------------------------------------------------------- evaluation

    /** The dot, the root and the escaping of one rendering. */
    record Scope(Object dot, Object root, UnaryOperator<String> escaping) {
        Scope withDot(Object d) {
            return new Scope(d, root, escaping);
        }
    }

    interface Node {
        void render(Scope scope, StringBuilder out);
    }

    record Text(String text) implements Node {
        @Override
        public void render(Scope scope, StringBuilder out) {
            out.append(text);
        }
    }

    record Print(Expr expr) implements Node {
        @Override
        public void render(Scope scope, StringBuilder out) {
            out.append(scope.escaping.apply(format(expr.eval(scope), expr.type())));
        }
    }

    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node {
        @Override
        public void render(Scope scope, StringBuilder out) {
            for (int i = 0; i < conditions.size(); i++) {
                Expr c = conditions.get(i);
                if (truth(c.eval(scope), c.type())) {
                    renderAll(bodies.get(i), scope, out);
                    return;
                }
            }
            renderAll(otherwise, scope, out);
        }
    }

    record Range(Expr list, List<Node> body, List<Node> otherwise) implements Node {
        @Override
        public void render(Scope scope, StringBuilder out) {
            List<?> items = (List<?>) list.eval(scope);
            if (items.isEmpty()) {
                renderAll(otherwise, scope, out);
                return;
            }
            for (Object item : items) {
                renderAll(body, scope.withDot(item), out);
            }
        }
    }

    private static void renderAll(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node n : nodes) {
            n.render(scope, out);
        }
    }

    interface Expr {
        TemplateType type();

        Object eval(Scope scope);
    }

    record Literal(Object value, TemplateType type) implements Expr {
        @Override
        public Object eval(Scope scope) {
            return value;
        }
    }

    /** A chain of field reads from the dot, the root or a root variable. */
    record Field(Function<Scope, Object> start, List<Function<Object, Object>> reads, TemplateType type)
            implements Expr {
        @Override
        public Object eval(Scope scope) {
            Object v = start.apply(scope);
            for (Function<Object, Object> r : reads) {
                v = r.apply(v);
            }
            return v;
        }
    }

    record Call(TemplateFunction func, List<Expr> args, TemplateType type, GoFormat format) implements Expr {
        @Override
        public Object eval(Scope scope) {
            return func.apply(this, scope);
        }
    }

    static boolean truth(Object v, TemplateType t) {
        switch (t.kind()) {
            case BOOL:
                return (Boolean) v;
            case STRING:
                return !((String) v).isEmpty();
            case INT:
                return (Long) v != 0;
            case FLOAT:
                return (Double) v != 0.0;
            case LABELS:
                return !((Map<?, ?>) v).isEmpty();
            case LIST:
                return !((List<?>) v).isEmpty();
            default:
                return true;
        }
    }

    /** A value as {@code {{ . }}} (and {@code %v}) prints it. */
    static String format(Object v, TemplateType t) {
        if (t.kind() == Kind.LABELS) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                sb.append(e.getKey()).append('=');
                quote(sb, (String) e.getValue());
            }
            return sb.append('}').toString();
        }
        if (t.kind() == Kind.FLOAT) {
            return GoFormat.formatValue((Double) v);
        }
        return String.valueOf(v);
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
