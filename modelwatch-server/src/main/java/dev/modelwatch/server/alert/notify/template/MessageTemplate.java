package dev.modelwatch.server.alert.notify.template;

import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A notification message template (a title, a text, an e-mail body) in the subset of Go's
 * {@code text/template} that Alertmanager users write, over {@link TemplateData}. It is parsed and
 * type-checked when the configuration is loaded: a syntax error, an unknown field or function, or a
 * value used where it does not fit is a {@link TemplateSyntaxException} naming the line and column,
 * so that rendering never fails.
 *
 * <p>The language:
 * <ul>
 *   <li>Fields of the notification: {@code .Status} ({@code firing}/{@code resolved}), {@code .Receiver},
 *       {@code .GroupKey}, {@code .NotificationID} (the stable id receivers deduplicate by), {@code .ExternalURL}, {@code .Reason} ({@code first_notification},
 *       {@code escalation}, ...), {@code .Escalation} (a boolean), {@code .GroupLabels.name},
 *       {@code .CommonLabels.name}, {@code .CommonAnnotations.name}, {@code .Alerts},
 *       {@code .Alerts.Firing}, {@code .Alerts.Resolved}. A missing label is the empty string.</li>
 *   <li>{@code {{ range .Alerts }}...{{ end }}} (optionally {@code {{ else }}} for none): inside,
 *       {@code .} is one alert with {@code .Status}, {@code .Labels.name}, {@code .Annotations.name},
 *       {@code .StartsAt}, {@code .EndsAt} (RFC 3339, {@value TemplateData#ZERO_TIME} while firing),
 *       {@code .Fingerprint}, {@code .GeneratorURL}, {@code .AcknowledgedBy} ("" when nobody) and
 *       {@code .Acknowledged}; {@code $} is the notification ({@code $.Receiver}).</li>
 *   <li>{@code {{ if PIPELINE }}...{{ else if PIPELINE }}...{{ else }}...{{ end }}}; a value is true
 *       when it is a true boolean, a non-empty string, label map or list, or a non-zero number.</li>
 *   <li>Functions: {@code len} (of a list, label map or string), {@code eq a b...} (a equals any of
 *       the others), {@code ne}, {@code lt le gt ge} (numbers or strings), {@code not}, {@code and},
 *       {@code or} (booleans of the truth of their arguments), {@code toUpper}, {@code toLower},
 *       {@code title}, {@code values} (the values of a label map in name order, space-separated);
 *       pipes pass the value as the last argument ({@code {{ .Status | toUpper }}}); parentheses
 *       group ({@code {{ if gt (len .Alerts.Firing) 1 }}}); string ({@code "..."}, {@code `...`}),
 *       integer and {@code true}/{@code false} literals.</li>
 *   <li>Printing a label map writes {@code {name="value", ...}}; a list or an alert cannot be printed
 *       (use {@code range} or {@code len}). Comments (slash-star ... star-slash) are dropped, and
 *       <code>{{-&nbsp;</code> / <code>&nbsp;-}}</code> trim the white space before / after the action, as in
 *       Go.</li>
 * </ul>
 * Printed values are escaped by the channel's {@link Escaping} (HTML e-mail, Slack); the template's
 * own text is not.
 *
 * <p>Immutable and thread-safe. Usage:
 * <pre>{@code
 * MessageTemplate t = MessageTemplate.parse("[{{ .Status | toUpper }}] {{ len .Alerts }} alert(s) for {{ .GroupLabels.model }}");
 * String title = t.render(TemplateData.of(notification, true, ""));   // "[FIRING] 2 alert(s) for fraud"
 * }</pre>
 */
public final class MessageTemplate {
    /** The static type of a value. */
    private enum Type {
        ROOT("the notification"), ALERT("an alert"), ALERTS("a list of alerts"), LABELS("a label map"),
        STRING("a string"), INT("a number"), BOOL("a boolean");

        final String description;

        Type(String description) {
            this.description = description;
        }
    }

    private static final Map<String, Type> ROOT_FIELDS = Map.ofEntries(Map.entry("Status", Type.STRING),
            Map.entry("Receiver", Type.STRING), Map.entry("GroupKey", Type.STRING), Map.entry("ExternalURL", Type.STRING),
            Map.entry("Reason", Type.STRING), Map.entry("Escalation", Type.BOOL), Map.entry("GroupLabels", Type.LABELS),
            Map.entry("CommonLabels", Type.LABELS), Map.entry("CommonAnnotations", Type.LABELS),
            Map.entry("Alerts", Type.ALERTS), Map.entry("NotificationID", Type.STRING));
    private static final Map<String, Type> ALERT_FIELDS = Map.of("Status", Type.STRING, "Labels", Type.LABELS,
            "Annotations", Type.LABELS, "StartsAt", Type.STRING, "EndsAt", Type.STRING, "Fingerprint", Type.STRING,
            "GeneratorURL", Type.STRING, "AcknowledgedBy", Type.STRING, "Acknowledged", Type.BOOL);
    private static final Map<String, Type> ALERTS_FIELDS = Map.of("Firing", Type.ALERTS, "Resolved", Type.ALERTS);

    private final String source;
    private final List<Node> nodes;

    private MessageTemplate(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    /**
     * Parses and type-checks a template.
     *
     * @throws TemplateSyntaxException with the line and column of the first problem
     */
    public static MessageTemplate parse(String source) {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        List<Item> items = new Lexer(source).items();
        Parser p = new Parser(source, items);
        List<Node> nodes = p.parseList(Type.ROOT);
        if (p.terminator != null) {
            Item t = p.terminator;
            throw p.error(t.pos, "unexpected {{ " + t.tokens.get(0).text + " }} without {{ if }} or {{ range }}");
        }
        return new MessageTemplate(source, List.copyOf(nodes));
    }

    /**
     * The template written at {@code node} (a string), or {@code defaultSource} when it is not written.
     * A template that does not parse is a problem at the node's path and gives null.
     */
    public static MessageTemplate fromConfig(ConfigNode node, String defaultSource) {
        if (node.isUnset()) {
            return parse(defaultSource);
        }
        String text = node.asString();
        if (text == null) {
            return null;
        }
        try {
            return parse(text);
        } catch (TemplateSyntaxException e) {
            node.problem("template " + e.getMessage());
            return null;
        }
    }

    /** The text as written. */
    public String source() {
        return source;
    }

    /** The message for {@code data}, printed values as they are. */
    public String render(TemplateData data) {
        return render(data, Escaping.NONE);
    }

    /** The message for {@code data}, printed values escaped by {@code escaping}. */
    public String render(TemplateData data, Escaping escaping) {
        StringBuilder out = new StringBuilder();
        Scope scope = new Scope(data, data, escaping);
        for (Node n : nodes) {
            n.render(scope, out);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageTemplate && ((MessageTemplate) o).source.equals(source);
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
    private record Scope(Object dot, TemplateData root, Escaping escaping) {
        Scope withDot(Object d) {
            return new Scope(d, root, escaping);
        }
    }

    private interface Node {
        void render(Scope scope, StringBuilder out);
    }

    private record Text(String text) implements Node {
        @Override
        public void render(Scope scope, StringBuilder out) {
            out.append(text);
        }
    }

    private record Print(Expr expr) implements Node {
        @Override
        public void render(Scope scope, StringBuilder out) {
            out.append(scope.escaping.apply(format(expr.eval(scope), expr.type())));
        }
    }

    private record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node {
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

    private record Range(Expr list, List<Node> body, List<Node> otherwise) implements Node {
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

    private interface Expr {
        Type type();

        Object eval(Scope scope);
    }

    private record Literal(Object value, Type type) implements Expr {
        @Override
        public Object eval(Scope scope) {
            return value;
        }
    }

    /** A field chain from the dot or from the root ({@code $}); {@code types[i]} is the type before name i. */
    private record Field(boolean fromRoot, List<String> names, List<Type> types, Type type) implements Expr {
        @Override
        public Object eval(Scope scope) {
            Object v = fromRoot ? scope.root : scope.dot;
            for (int i = 0; i < names.size(); i++) {
                v = field(v, types.get(i), names.get(i));
            }
            return v;
        }
    }

    private record Call(Func func, List<Expr> args, Type type) implements Expr {
        @Override
        public Object eval(Scope scope) {
            List<Object> values = new ArrayList<>(args.size());
            for (Expr a : args) {
                values.add(a.eval(scope));
            }
            return func.apply(values, args);
        }
    }

    private static Object field(Object v, Type t, String name) {
        switch (t) {
            case ROOT: {
                TemplateData d = (TemplateData) v;
                switch (name) {
                    case "Status":
                        return d.status();
                    case "Receiver":
                        return d.receiver();
                    case "GroupKey":
                        return d.groupKey();
                    case "NotificationID":
                        return d.notificationId();
                    case "ExternalURL":
                        return d.externalUrl();
                    case "Reason":
                        return d.reason().name().toLowerCase(Locale.ROOT);
                    case "Escalation":
                        return d.escalation();
                    case "GroupLabels":
                        return d.groupLabels();
                    case "CommonLabels":
                        return d.commonLabels();
                    case "CommonAnnotations":
                        return d.commonAnnotations();
                    default:
                        return d.alerts();
                }
            }
            case ALERTS: {
                List<?> alerts = (List<?>) v;
                List<Object> out = new ArrayList<>();
                for (Object o : alerts) {
                    if (((TemplateData.AlertData) o).firing() == name.equals("Firing")) {
                        out.add(o);
                    }
                }
                return out;
            }
            case ALERT: {
                TemplateData.AlertData a = (TemplateData.AlertData) v;
                switch (name) {
                    case "Status":
                        return a.status();
                    case "Labels":
                        return a.labels();
                    case "Annotations":
                        return a.annotations();
                    case "StartsAt":
                        return a.startsAt();
                    case "EndsAt":
                        return a.endsAt();
                    case "Fingerprint":
                        return a.fingerprint();
                    case "GeneratorURL":
                        return a.generatorUrl();
                    case "AcknowledgedBy":
                        return a.acknowledgedBy();
                    default:
                        return !a.acknowledgedBy().isEmpty();
                }
            }
            case LABELS: {
                String s = ((Map<?, ?>) v).get(name) == null ? "" : (String) ((Map<?, ?>) v).get(name);
                return s;
            }
            default:
                throw new IllegalStateException("field of " + t);
        }
    }

    private static boolean truth(Object v, Type t) {
        switch (t) {
            case BOOL:
                return (Boolean) v;
            case STRING:
                return !((String) v).isEmpty();
            case INT:
                return (Long) v != 0;
            case LABELS:
                return !((Map<?, ?>) v).isEmpty();
            case ALERTS:
                return !((List<?>) v).isEmpty();
            default:
                return true;
        }
    }

    private static String format(Object v, Type t) {
        if (t == Type.LABELS) {
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

    /** The functions, with their static type rules. */
    private enum Func {
        LEN("len"), EQ("eq"), NE("ne"), LT("lt"), LE("le"), GT("gt"), GE("ge"), NOT("not"), AND("and"), OR("or"),
        TO_UPPER("toUpper"), TO_LOWER("toLower"), TITLE("title"), VALUES("values");

        final String name;

        Func(String name) {
            this.name = name;
        }

        static Func byName(String name) {
            for (Func f : values()) {
                if (f.name.equals(name)) {
                    return f;
                }
            }
            return null;
        }

        static String names() {
            Set<String> s = new TreeSet<>();
            for (Func f : values()) {
                s.add(f.name);
            }
            return String.join(", ", s);
        }

        /** The result type for arguments of {@code types}, or the reason they do not fit. */
        Object check(List<Type> types) {
            int n = types.size();
            switch (this) {
                case LEN:
                    if (n != 1) {
                        return "len takes 1 argument, was given " + n;
                    }
                    if (types.get(0) != Type.ALERTS && types.get(0) != Type.LABELS && types.get(0) != Type.STRING) {
                        return "len of " + types.get(0).description + " (expected a list, a label map or a string)";
                    }
                    return Type.INT;
                case EQ:
                case NE:
                    if (this == NE ? n != 2 : n < 2) {
                        return name + (this == NE ? " takes 2 arguments" : " takes at least 2 arguments")
                                + ", was given " + n;
                    }
                    for (Type t : types) {
                        if (t != types.get(0)) {
                            return name + " compares " + types.get(0).description + " with " + t.description;
                        }
                    }
                    if (types.get(0) != Type.STRING && types.get(0) != Type.INT && types.get(0) != Type.BOOL) {
                        return name + " cannot compare " + types.get(0).description;
                    }
                    return Type.BOOL;
                case LT:
                case LE:
                case GT:
                case GE:
                    if (n != 2) {
                        return name + " takes 2 arguments, was given " + n;
                    }
                    if (types.get(0) != types.get(1) || (types.get(0) != Type.INT && types.get(0) != Type.STRING)) {
                        return name + " needs two numbers or two strings, was given " + types.get(0).description
                                + " and " + types.get(1).description;
                    }
                    return Type.BOOL;
                case NOT:
                    return n == 1 ? Type.BOOL : "not takes 1 argument, was given " + n;
                case AND:
                case OR:
                    return n >= 2 ? Type.BOOL : name + " takes at least 2 arguments, was given " + n;
                case VALUES:
                    if (n != 1 || types.get(0) != Type.LABELS) {
                        return "values takes 1 label map" + (n == 1 ? ", was given " + types.get(0).description : "");
                    }
                    return Type.STRING;
                default:
                    if (n != 1 || types.get(0) != Type.STRING) {
                        return name + " takes 1 string" + (n == 1 ? ", was given " + types.get(0).description
                                : ", was given " + n + " arguments");
                    }
                    return Type.STRING;
            }
        }

        Object apply(List<Object> v, List<Expr> args) {
            switch (this) {
                case LEN: {
                    Object a = v.get(0);
                    if (a instanceof String) {
                        return (long) ((String) a).codePointCount(0, ((String) a).length());
                    }
                    return (long) (a instanceof Map ? ((Map<?, ?>) a).size() : ((List<?>) a).size());
                }
                case EQ:
                    for (int i = 1; i < v.size(); i++) {
                        if (v.get(0).equals(v.get(i))) {
                            return true;
                        }
                    }
                    return false;
                case NE:
                    return !v.get(0).equals(v.get(1));
                case LT:
                case LE:
                case GT:
                case GE: {
                    int c = v.get(0) instanceof Long ? Long.compare((Long) v.get(0), (Long) v.get(1))
                            : ((String) v.get(0)).compareTo((String) v.get(1));
                    return this == LT ? c < 0 : this == LE ? c <= 0 : this == GT ? c > 0 : c >= 0;
                }
                case NOT:
                    return !truth(v.get(0), args.get(0).type());
                case AND:
                case OR: {
                    for (int i = 0; i < v.size(); i++) {
                        boolean t = truth(v.get(i), args.get(i).type());
                        if (this == AND && !t) {
                            return false;
                        }
                        if (this == OR && t) {
                            return true;
                        }
                    }
                    return this == AND;
                }
                case TO_UPPER:
                    return ((String) v.get(0)).toUpperCase(Locale.ROOT);
                case TO_LOWER:
                    return ((String) v.get(0)).toLowerCase(Locale.ROOT);
                case TITLE:
                    return title((String) v.get(0));
                default:
                    return String.join(" ", ((Map<?, ?>) v.get(0)).values().stream().map(String::valueOf)
                            .toArray(String[]::new));
            }
        }

        private static String title(String s) {
            StringBuilder sb = new StringBuilder(s.length());
            boolean start = true;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                sb.append(start ? Character.toTitleCase(c) : c);
                start = !Character.isLetterOrDigit(c);
            }
            return sb.toString();
        }
    }

    // ---------------------------------------------------------------- lexing

    private enum Kind { IDENT, FIELD, DOT, VAR, STRING, NUMBER, PIPE, LPAREN, RPAREN }

    private record Token(Kind kind, String text, int pos) {
    }

    /** Literal text ({@code tokens} null) or one action's tokens; {@code pos} is where it starts. */
    private record Item(String text, List<Token> tokens, int pos) {
    }

    private static final class Lexer {
        private final String src;
        private final List<Item> items = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private int textPos;

        Lexer(String src) {
            this.src = src;
        }

        List<Item> items() {
            int i = 0;
            boolean trimNext = false;
            while (i <= src.length()) {
                int open = src.indexOf("{{", i);
                int end = open < 0 ? src.length() : open;
                int from = i;
                if (trimNext) {
                    while (from < end && Character.isWhitespace(src.charAt(from))) {
                        from++;
                    }
                }
                if (text.length() == 0) {
                    textPos = from;
                }
                text.append(src, from, end);
                if (open < 0) {
                    break;
                }
                int j = open + 2;
                if (j + 1 < src.length() && src.charAt(j) == '-' && Character.isWhitespace(src.charAt(j + 1))) {
                    int n = text.length();
                    while (n > 0 && Character.isWhitespace(text.charAt(n - 1))) {
                        n--;
                    }
                    text.setLength(n);
                    j++;
                }
                flushText();
                List<Token> tokens = new ArrayList<>();
                int[] close = new int[2]; // index after '}}', trim flag
                lexAction(open, j, tokens, close);
                if (!tokens.isEmpty()) {
                    items.add(new Item(null, tokens, open));
                } else if (!isComment(open, close[0])) {
                    throw error(src, open, "empty action {{ }}");
                }
                i = close[0];
                trimNext = close[1] == 1;
            }
            flushText();
            return items;
        }

        private boolean isComment(int open, int after) {
            return src.substring(open, after).contains("/*");
        }

        private void flushText() {
            if (text.length() > 0) {
                items.add(new Item(text.toString(), null, textPos));
                text.setLength(0);
            }
        }

        private void lexAction(int open, int start, List<Token> tokens, int[] close) {
            int k = start;
            while (true) {
                while (k < src.length() && Character.isWhitespace(src.charAt(k))) {
                    k++;
                }
                if (k >= src.length()) {
                    throw error(src, open, "unclosed action: '{{' without '}}'");
                }
                char c = src.charAt(k);
                if (src.startsWith("-}}", k) && k > start && Character.isWhitespace(src.charAt(k - 1))) {
                    close[0] = k + 3;
                    close[1] = 1;
                    return;
                }
                if (src.startsWith("}}", k)) {
                    close[0] = k + 2;
                    close[1] = 0;
                    return;
                }
                if (src.startsWith("/*", k)) {
                    if (!tokens.isEmpty()) {
                        throw error(src, k, "a comment must be the whole action");
                    }
                    int endComment = src.indexOf("*/", k + 2);
                    if (endComment < 0) {
                        throw error(src, k, "unclosed comment");
                    }
                    k = endComment + 2;
                    int m = k;
                    while (m < src.length() && Character.isWhitespace(src.charAt(m))) {
                        m++;
                    }
                    if (!(src.startsWith("}}", m) || (src.startsWith("-}}", m) && m > k))) {
                        throw error(src, k, "a comment must be followed by '}}'");
                    }
                    continue;
                }
                if (c == '|') {
                    tokens.add(new Token(Kind.PIPE, "|", k++));
                } else if (c == '(') {
                    tokens.add(new Token(Kind.LPAREN, "(", k++));
                } else if (c == ')') {
                    tokens.add(new Token(Kind.RPAREN, ")", k++));
                } else if (c == '"') {
                    k = lexString(k, tokens);
                } else if (c == '`') {
                    int e = src.indexOf('`', k + 1);
                    if (e < 0) {
                        throw error(src, k, "unterminated raw string");
                    }
                    tokens.add(new Token(Kind.STRING, src.substring(k + 1, e), k));
                    k = e + 1;
                } else if (c == '.' || c == '$') {
                    int e = k + 1;
                    if (c == '.' && (e >= src.length() || !isIdentStart(src.charAt(e)))) {
                        tokens.add(new Token(Kind.DOT, ".", k));
                        k = e;
                        continue;
                    }
                    if (c == '$' && e < src.length() && isIdentStart(src.charAt(e))) {
                        throw error(src, k, "variables are not supported (only $ and $.Field)");
                    }
                    int p = c == '.' ? k : k + 1;
                    while (p < src.length() && src.charAt(p) == '.' && p + 1 < src.length()
                            && isIdentStart(src.charAt(p + 1))) {
                        p += 2;
                        while (p < src.length() && isIdentPart(src.charAt(p))) {
                            p++;
                        }
                    }
                    if (p < src.length() && src.charAt(p) == '.') {
                        throw error(src, p, "a field name must follow '.'");
                    }
                    tokens.add(new Token(c == '.' ? Kind.FIELD : Kind.VAR, src.substring(k, p), k));
                    k = p;
                } else if (Character.isDigit(c) || (c == '-' && k + 1 < src.length() && Character.isDigit(src.charAt(k + 1)))) {
                    int e = k + 1;
                    while (e < src.length() && Character.isDigit(src.charAt(e))) {
                        e++;
                    }
                    if (e < src.length() && (isIdentPart(src.charAt(e)) || src.charAt(e) == '.')) {
                        throw error(src, k, "only integer numbers are supported");
                    }
                    tokens.add(new Token(Kind.NUMBER, src.substring(k, e), k));
                    k = e;
                } else if (isIdentStart(c)) {
                    int e = k + 1;
                    while (e < src.length() && isIdentPart(src.charAt(e))) {
                        e++;
                    }
                    tokens.add(new Token(Kind.IDENT, src.substring(k, e), k));
                    k = e;
                } else if (c == ':' || c == '=') {
                    throw error(src, k, "variables are not supported (no ':=' or '=')");
                } else {
                    throw error(src, k, "unexpected '" + c + "' in an action");
                }
            }
        }

        private int lexString(int k, List<Token> tokens) {
            StringBuilder sb = new StringBuilder();
            int j = k + 1;
            while (j < src.length()) {
                char d = src.charAt(j);
                if (d == '"') {
                    tokens.add(new Token(Kind.STRING, sb.toString(), k));
                    return j + 1;
                }
                if (d == '\n') {
                    break;
                }
                if (d == '\\' && j + 1 < src.length()) {
                    char e = src.charAt(j + 1);
                    int decoded = dev.modelwatch.server.alert.lifecycle.StringEscapes.decode(e);
                    if (decoded < 0) {
                        throw error(src, j, "unsupported escape '\\" + e + "' in a string");
                    }
                    sb.append((char) decoded);
                    j += 2;
                    continue;
                }
                sb.append(d);
                j++;
            }
            throw error(src, k, "unterminated string");
        }
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static TemplateSyntaxException error(String src, int pos, String why) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < pos && i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new TemplateSyntaxException(line, col, why);
    }

    // ---------------------------------------------------------------- parsing

    private static final class Parser {
        private final String src;
        private final List<Item> items;
        private int next;
        /** The {@code else}/{@code end} item that ended the last {@link #parseList}, null at the end. */
        Item terminator;

        Parser(String src, List<Item> items) {
            this.src = src;
            this.items = items;
        }

        TemplateSyntaxException error(int pos, String why) {
            return MessageTemplate.error(src, pos, why);
        }

        List<Node> parseList(Type dot) {
            List<Node> out = new ArrayList<>();
            while (next < items.size()) {
                Item item = items.get(next++);
                if (item.tokens == null) {
                    out.add(new Text(item.text));
                    continue;
                }
                Token head = item.tokens.get(0);
                String keyword = head.kind == Kind.IDENT ? head.text : "";
                switch (keyword) {
                    case "else":
                    case "end":
                        terminator = item;
                        return out;
                    case "if":
                        out.add(parseIf(item, dot));
                        break;
                    case "range":
                        out.add(parseRange(item, dot));
                        break;
                    case "with":
                    case "define":
                    case "template":
                    case "block":
                    case "break":
                    case "continue":
                        throw error(head.pos, "{{ " + keyword + " }} is not supported (supported: if, else, range, end)");
                    default:
                        Expr e = new ActionParser(this, item.tokens, 0, dot).whole();
                        if (e.type() == Type.ALERTS || e.type() == Type.ALERT || e.type() == Type.ROOT) {
                            throw error(head.pos, "cannot print " + e.type().description
                                    + (e.type() == Type.ALERTS ? ": use {{ range }} or {{ len }}" : ": name one of its fields"));
                        }
                        out.add(new Print(e));
                }
            }
            terminator = null;
            return out;
        }

        private Node parseIf(Item item, Type dot) {
            List<Expr> conditions = new ArrayList<>();
            List<List<Node>> bodies = new ArrayList<>();
            Item current = item;
            int condStart = 1;
            while (true) {
                if (current.tokens.size() <= condStart) {
                    throw error(current.tokens.get(condStart - 1).pos, "{{ if }} needs a condition");
                }
                conditions.add(new ActionParser(this, current.tokens, condStart, dot).whole());
                bodies.add(parseList(dot));
                Item t = terminator;
                if (t == null) {
                    throw error(item.pos, "{{ if }} without {{ end }}");
                }
                List<Token> ts = t.tokens;
                if (ts.get(0).text.equals("end")) {
                    requireAlone(t);
                    return new If(conditions, bodies, List.of());
                }
                if (ts.size() > 1 && ts.get(1).kind == Kind.IDENT && ts.get(1).text.equals("if")) {
                    current = t;
                    condStart = 2;
                    continue;
                }
                requireAlone(t);
                List<Node> otherwise = parseList(dot);
                if (terminator == null || !terminator.tokens.get(0).text.equals("end")) {
                    throw error(terminator == null ? item.pos : terminator.pos, terminator == null
                            ? "{{ if }} without {{ end }}" : "a second {{ else }} in one {{ if }}");
                }
                requireAlone(terminator);
                return new If(conditions, bodies, otherwise);
            }
        }

        private Node parseRange(Item item, Type dot) {
            if (item.tokens.size() < 2) {
                throw error(item.tokens.get(0).pos, "{{ range }} needs a list: {{ range .Alerts }}");
            }
            Expr list = new ActionParser(this, item.tokens, 1, dot).whole();
            if (list.type() != Type.ALERTS) {
                throw error(item.tokens.get(1).pos, "range over " + list.type().description
                        + " (only lists of alerts: .Alerts, .Alerts.Firing, .Alerts.Resolved)");
            }
            List<Node> body = parseList(Type.ALERT);
            Item t = terminator;
            if (t == null) {
                throw error(item.pos, "{{ range }} without {{ end }}");
            }
            requireAlone(t);
            if (t.tokens.get(0).text.equals("end")) {
                return new Range(list, body, List.of());
            }
            List<Node> otherwise = parseList(dot);
            if (terminator == null || !terminator.tokens.get(0).text.equals("end")) {
                throw error(terminator == null ? item.pos : terminator.pos, terminator == null
                        ? "{{ range }} without {{ end }}" : "a second {{ else }} in one {{ range }}");
            }
            requireAlone(terminator);
            return new Range(list, body, otherwise);
        }

        private void requireAlone(Item t) {
            if (t.tokens.size() > 1) {
                throw error(t.tokens.get(1).pos, "unexpected '" + t.tokens.get(1).text + "' after {{ "
                        + t.tokens.get(0).text + " }}");
            }
        }
    }

    /** Parses one action's pipeline from a token index, with static types. */
    private static final class ActionParser {
        private final Parser parser;
        private final List<Token> ts;
        private int p;
        private final Type dot;

        ActionParser(Parser parser, List<Token> ts, int from, Type dot) {
            this.parser = parser;
            this.ts = ts;
            this.p = from;
            this.dot = dot;
        }

        Expr whole() {
            Expr e = pipeline();
            if (p < ts.size()) {
                throw parser.error(ts.get(p).pos, "unexpected '" + ts.get(p).text + "'");
            }
            return e;
        }

        private Token peek() {
            return p < ts.size() ? ts.get(p) : null;
        }

        private int endPos() {
            Token last = ts.get(ts.size() - 1);
            return last.pos + Math.max(1, last.text.length());
        }

        private Expr pipeline() {
            Expr e = command(null);
            while (peek() != null && peek().kind == Kind.PIPE) {
                p++;
                e = command(e);
            }
            return e;
        }

        private Expr command(Expr piped) {
            Token t = peek();
            if (t == null || t.kind == Kind.PIPE || t.kind == Kind.RPAREN) {
                throw parser.error(t == null ? endPos() : t.pos, piped == null ? "missing value" : "'|' without a function after it");
            }
            if (t.kind == Kind.IDENT && !t.text.equals("true") && !t.text.equals("false")) {
                p++;
                Func f = Func.byName(t.text);
                if (f == null) {
                    throw parser.error(t.pos, keywordOrFunction(t.text));
                }
                List<Expr> args = new ArrayList<>();
                while (peek() != null && peek().kind != Kind.PIPE && peek().kind != Kind.RPAREN) {
                    args.add(operand());
                }
                if (piped != null) {
                    args.add(piped);
                }
                List<Type> types = new ArrayList<>();
                for (Expr a : args) {
                    types.add(a.type());
                }
                Object r = f.check(types);
                if (r instanceof String) {
                    throw parser.error(t.pos, (String) r);
                }
                return new Call(f, List.copyOf(args), (Type) r);
            }
            Expr o = operand();
            if (piped != null) {
                throw parser.error(t.pos, "after '|' a function is expected, was '" + t.text + "'");
            }
            Token after = peek();
            if (after != null && after.kind != Kind.PIPE && after.kind != Kind.RPAREN) {
                throw parser.error(after.pos, "unexpected '" + after.text + "' after a value (a function comes first: eq .Status \"firing\")");
            }
            return o;
        }

        private String keywordOrFunction(String name) {
            if (Set.of("if", "else", "end", "range").contains(name)) {
                return "'" + name + "' must start its own action: {{ " + name + " ... }}";
            }
            return "unknown function '" + name + "' (functions: " + Func.names() + ")";
        }

        private Expr operand() {
            Token t = ts.get(p++);
            switch (t.kind) {
                case STRING:
                    return new Literal(t.text, Type.STRING);
                case NUMBER:
                    try {
                        return new Literal(Long.parseLong(t.text), Type.INT);
                    } catch (NumberFormatException e) {
                        throw parser.error(t.pos, "number out of range");
                    }
                case DOT:
                    return new Field(false, List.of(), List.of(), dot);
                case FIELD:
                    return field(false, t.text.substring(1), dot, t.pos);
                case VAR:
                    return t.text.equals("$") ? new Field(true, List.of(), List.of(), Type.ROOT)
                            : field(true, t.text.substring(2), Type.ROOT, t.pos);
                case IDENT:
                    if (t.text.equals("true") || t.text.equals("false")) {
                        return new Literal(Boolean.valueOf(t.text), Type.BOOL);
                    }
                    if (Func.byName(t.text) != null) {
                        throw parser.error(t.pos, "a function used as an argument needs parentheses: (" + t.text + " ...)");
                    }
                    throw parser.error(t.pos, keywordOrFunction(t.text));
                case LPAREN: {
                    Expr e = pipeline();
                    Token close = peek();
                    if (close == null || close.kind != Kind.RPAREN) {
                        throw parser.error(t.pos, "unclosed '('");
                    }
                    p++;
                    return e;
                }
                default:
                    throw parser.error(t.pos, "unexpected '" + t.text + "'");
            }
        }

        private Expr field(boolean fromRoot, String chain, Type start, int pos) {
            String[] names = chain.split("\\.");
            List<Type> types = new ArrayList<>();
            Type t = start;
            int at = pos + (fromRoot ? 1 : 0);
            for (String name : names) {
                types.add(t);
                t = fieldType(t, name, at, start);
                at += name.length() + 1;
            }
            return new Field(fromRoot, List.of(names), List.copyOf(types), t);
        }

        private Type fieldType(Type t, String name, int pos, Type start) {
            Type r;
            switch (t) {
                case ROOT:
                    r = ROOT_FIELDS.get(name);
                    if (r == null) {
                        String hint = ALERT_FIELDS.containsKey(name)
                                ? "; ." + name + " is a field of an alert, inside {{ range .Alerts }}" : "";
                        throw parser.error(pos, "unknown field ." + name + " (fields of the notification: "
                                + String.join(", ", new TreeSet<>(ROOT_FIELDS.keySet())) + ")" + hint);
                    }
                    return r;
                case ALERT:
                    r = ALERT_FIELDS.get(name);
                    if (r == null) {
                        String hint = ROOT_FIELDS.containsKey(name) ? "; use $." + name + " for the notification's" : "";
                        throw parser.error(pos, "unknown field ." + name + " (fields of an alert: "
                                + String.join(", ", new TreeSet<>(ALERT_FIELDS.keySet())) + ")" + hint);
                    }
                    return r;
                case ALERTS:
                    r = ALERTS_FIELDS.get(name);
                    if (r == null) {
                        throw parser.error(pos, "unknown field ." + name + " of a list of alerts (Firing, Resolved)");
                    }
                    return r;
                case LABELS:
                    return Type.STRING;
                default:
                    throw parser.error(pos, "cannot take field ." + name + " of " + t.description);
            }
        }
    }
}
