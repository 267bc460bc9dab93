package dev.modelwatch.server.alert.template;

import dev.modelwatch.server.alert.template.GoTemplate.Call;
import dev.modelwatch.server.alert.template.GoTemplate.Expr;
import dev.modelwatch.server.alert.template.GoTemplate.Scope;
import dev.modelwatch.server.alert.template.TemplateType.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The functions of {@link GoTemplate}, each with its static type rule ({@link #check}: the result type
 * for the argument types, or why they do not fit, when the template is parsed) and its evaluation
 * (as Go's {@code text/template} builtins and Alertmanager's additions).
 */
enum TemplateFunction {
    LEN("len"), INDEX("index"), EQ("eq"), NE("ne"), LT("lt"), LE("le"), GT("gt"), GE("ge"), NOT("not"),
    AND("and"), OR("or"), PRINTF("printf"), TO_UPPER("toUpper"), TO_LOWER("toLower"), TITLE("title"),
    VALUES("values");

    final String name;

    TemplateFunction(String name) {
        this.name = name;
    }

    static TemplateFunction byName(String name) {
        for (TemplateFunction f : values()) {
            if (f.name.equals(name)) {
                return f;
            }
        }
        return null;
    }

    static String names() {
        Set<String> s = new TreeSet<>();
        for (TemplateFunction f : values()) {
            s.add(f.name);
        }
        return String.join(", ", s);
    }

    /** The result type for arguments {@code args}, or the reason they do not fit. */
    Object check(List<Expr> args, GoFormat format) {
        int n = args.size();
        List<TemplateType> types = new ArrayList<>();
        for (Expr a : args) {
            types.add(a.type());
        }
        switch (this) {
            case LEN: {
                if (n != 1) {
                    return "len takes 1 argument, was given " + n;
                }
                Kind k = types.get(0).kind();
                if (k != Kind.LIST && k != Kind.LABELS && k != Kind.STRING) {
                    return "len of " + types.get(0).description() + " (expected a list, a label map or a string)";
                }
                return TemplateType.INT;
            }
            case INDEX: {
                if (n != 2) {
                    return "index takes 2 arguments here (a label map and a name), was given " + n;
                }
                Kind k = types.get(0).kind();
                if (k == Kind.LABELS && types.get(1) == TemplateType.STRING) {
                    return TemplateType.STRING;
                }
                return "index of " + types.get(0).description() + " by " + types.get(1).description()
                        + " (only a label map by a string: index .Labels \"my-label\")";
            }
            case EQ:
            case NE:
                if (this == NE ? n != 2 : n < 2) {
                    return name + (this == NE ? " takes 2 arguments" : " takes at least 2 arguments")
                            + ", was given " + n;
                }
                for (TemplateType t : types) {
                    if (t != types.get(0)) {
                        return name + " compares " + types.get(0).description() + " with " + t.description();
                    }
                }
                if (!Set.of(Kind.STRING, Kind.INT, Kind.FLOAT, Kind.BOOL).contains(types.get(0).kind())) {
                    return name + " cannot compare " + types.get(0).description();
                }
                return TemplateType.BOOL;
            case LT:
            case LE:
            case GT:
            case GE:
                if (n != 2) {
                    return name + " takes 2 arguments, was given " + n;
                }
                if (types.get(0) != types.get(1)
                        || !Set.of(Kind.STRING, Kind.INT, Kind.FLOAT).contains(types.get(0).kind())) {
                    return name + " needs two numbers or two strings, was given " + types.get(0).description()
                            + " and " + types.get(1).description()
                            + (types.get(0).kind() == Kind.FLOAT || types.get(1).kind() == Kind.FLOAT
                                    ? " (write a float literal as 1.0)" : "");
                }
                return TemplateType.BOOL;
            case NOT:
                return n == 1 ? TemplateType.BOOL : "not takes 1 argument, was given " + n;
            case AND:
            case OR:
                if (n < 2) {
                    return name + " takes at least 2 arguments, was given " + n;
                }
                for (TemplateType t : types) {
                    if (t != types.get(0)) {
                        return TemplateType.BOOL;
                    }
                }
                return types.get(0);
            case PRINTF:
                return checkPrintf(args, types, format);
            case VALUES:
                if (n != 1 || types.get(0) != TemplateType.LABELS) {
                    return "values takes 1 label map" + (n == 1 ? ", was given " + types.get(0).description() : "");
                }
                return TemplateType.STRING;
            default:
                if (n != 1 || types.get(0) != TemplateType.STRING) {
                    return name + " takes 1 string" + (n == 1 ? ", was given " + types.get(0).description()
                            : ", was given " + n + " arguments");
                }
                return TemplateType.STRING;
        }
    }

    private static Object checkPrintf(List<Expr> args, List<TemplateType> types, GoFormat format) {
        if (format == null) {
            return "printf needs a format string first: printf \"%.3f\" $value";
        }
        List<GoFormat.ArgType> verbs = format.argTypes();
        int given = args.size() - 1;
        if (verbs.size() != given) {
            return "printf \"" + format.source() + "\" takes " + verbs.size() + " argument(s), was given " + given;
        }
        for (int k = 0; k < verbs.size(); k++) {
            TemplateType t = types.get(k + 1);
            GoFormat.ArgType v = verbs.get(k);
            boolean fits = switch (v) {
                case FLOAT -> t.kind() == Kind.FLOAT;
                case INT -> t.kind() == Kind.INT;
                case STRING -> t.kind() == Kind.STRING;
                case ANY -> t.printable();
            };
            if (!fits) {
                String needs = switch (v) {
                    case FLOAT -> "its verb needs a float (%f %e %g; %d for integers)";
                    case INT -> "%d needs an integer (%.0f writes a float without decimals)";
                    case STRING -> "its verb needs a string (%s; %v for other values)";
                    case ANY -> "its verb needs a value that prints";
                };
                return "printf \"" + format.source() + "\": argument " + (k + 1) + " is " + t.description()
                        + " but " + needs;
            }
        }
        return TemplateType.STRING;
    }

    Object apply(Call c, Scope scope) {
        List<Expr> args = c.args();
        switch (this) {
            case AND:
            case OR: {
                Object last = null;
                for (Expr a : args) {
                    last = a.eval(scope);
                    boolean t = GoTemplate.truth(last, a.type());
                    if (this == AND ? !t : t) {
                        return c.type() == TemplateType.BOOL ? (Object) t : last;
                    }
                }
                return c.type() == TemplateType.BOOL ? (Object) GoTemplate.truth(last, args.get(args.size() - 1).type()) : last;
            }
            default:
                break;
        }
        List<Object> v = new ArrayList<>(args.size());
        for (Expr a : args) {
            v.add(a.eval(scope));
        }
        switch (this) {
            case LEN: {
                Object a = v.get(0);
                if (a instanceof String) {
                    return (long) ((String) a).getBytes(StandardCharsets.UTF_8).length;
                }
                return (long) (a instanceof Map ? ((Map<?, ?>) a).size() : ((List<?>) a).size());
            }
            case INDEX: {
                Object r = ((Map<?, ?>) v.get(0)).get(v.get(1));
                return r == null ? "" : r;
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
                int cmp = compare(v.get(0), v.get(1));
                if (cmp == Integer.MIN_VALUE) {
                    return false;
                }
                return this == LT ? cmp < 0 : this == LE ? cmp <= 0 : this == GT ? cmp > 0 : cmp >= 0;
            }
            case NOT:
                return !GoTemplate.truth(v.get(0), args.get(0).type());
            case PRINTF: {
                List<Object> values = new ArrayList<>();
                List<GoFormat.ArgType> verbs = c.format().argTypes();
                for (int i = 1; i < v.size(); i++) {
                    Object a = v.get(i);
                    TemplateType t = args.get(i).type();
                    boolean raw = a instanceof String || a instanceof Long || a instanceof Double;
                    values.add(verbs.get(i - 1) == GoFormat.ArgType.ANY && !raw ? GoTemplate.format(a, t) : a);
                }
                return c.format().apply(values);
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

    /** Go's ordering of two values of one type; {@link Integer#MIN_VALUE} when a float is NaN. */
    private static int compare(Object a, Object b) {
        if (a instanceof Long) {
            return Long.compare((Long) a, (Long) b);
        }
        if (a instanceof Double) {
            double x = (Double) a;
            double y = (Double) b;
            return Double.isNaN(x) || Double.isNaN(y) ? Integer.MIN_VALUE : x < y ? -1 : x > y ? 1 : 0;
        }
        return compareUtf8((String) a, (String) b);
    }

    /** Go compares strings byte by byte in UTF-8, that is by code point. */
    private static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
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
