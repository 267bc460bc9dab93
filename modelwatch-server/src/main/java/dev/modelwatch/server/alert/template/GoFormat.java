package dev.modelwatch.server.alert.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A Go {@code fmt.Sprintf} format string restricted to what templates need ({@link GoTemplate}'s
 * {@code printf}), parsed once and applied to floats, integers and strings with Go's exact output.
 *
 * <p>Verbs: {@code %v} (floats: Go's shortest {@code %g}, integers in decimal, other values as
 * {@link GoTemplate} prints them), {@code %s}, {@code %d} (integers),
 * {@code %f %F}, {@code %e %E}, {@code %g %G}, {@code %%}; flags {@code - + space 0}, a width and a
 * precision ({@code %8.3f}). Floats are rounded from their exact binary value, ties to even, as Go
 * does ({@code %.2f} of 2.675 is {@code 2.67}, of 0.125 is {@code 0.12}); {@code %v} and {@code %g}
 * without precision use the shortest decimal that reads back as the same double, in exponent form when
 * the exponent is below -4 or at least 6 ({@code 1e+06}, {@code 123456}, {@code 1e-05}); NaN and
 * infinities print as {@code NaN +Inf -Inf}. Other verbs and flag {@code #} are refused when the format
 * is parsed, with the reason; a verb given a value of another type is refused by {@link GoTemplate}
 * (where Go would print {@code %!f(string=...)}).
 */
final class GoFormat {
    /** What an argument of a verb must be. */
    enum ArgType {
        FLOAT, INT, STRING, ANY
    }

    private record Verb(char verb, boolean minus, boolean plus, boolean space, boolean zero, int width, int precision) {
        ArgType argType() {
            switch (verb) {
                case 'v':
                    return ArgType.ANY;
                case 's':
                    return ArgType.STRING;
                case 'd':
                    return ArgType.INT;
                default:
                    return ArgType.FLOAT;
            }
        }
    }

    private final String format;
    /** Literal strings and verbs, in order. */
    private final List<Object> parts;

    private GoFormat(String format, List<Object> parts) {
        this.format = format;
        this.parts = parts;
    }

    /**
     * Parses a format.
     *
     * @throws IllegalArgumentException naming the unsupported verb or the malformed directive
     */
    public static GoFormat parse(String format) {
        List<Object> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                lit.append(c);
                i++;
                continue;
            }
            int start = i;
            i++;
            if (i < format.length() && format.charAt(i) == '%') {
                lit.append('%');
                i++;
                continue;
            }
            boolean minus = false;
            boolean plus = false;
            boolean space = false;
            boolean zero = false;
            while (i < format.length() && "-+ 0#".indexOf(format.charAt(i)) >= 0) {
                char f = format.charAt(i);
                if (f == '#') {
                    throw new IllegalArgumentException("printf format \"" + format + "\": flag '#' is not supported");
                }
                minus |= f == '-';
                plus |= f == '+';
                space |= f == ' ';
                zero |= f == '0';
                i++;
            }
            int width = -1;
            int ws = i;
            while (i < format.length() && Character.isDigit(format.charAt(i))) {
                i++;
            }
            if (i > ws) {
                width = Integer.parseInt(format.substring(ws, Math.min(i, ws + 4)));
            }
            int precision = -1;
            if (i < format.length() && format.charAt(i) == '.') {
                i++;
                int ps = i;
                while (i < format.length() && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                precision = i > ps ? Integer.parseInt(format.substring(ps, Math.min(i, ps + 3))) : 0;
            }
            if (i >= format.length()) {
                throw new IllegalArgumentException("printf format \"" + format + "\": '" + format.substring(start)
                        + "' has no verb");
            }
            char verb = format.charAt(i);
            i++;
            if ("vsdfFeEgG".indexOf(verb) < 0) {
                String why = "verb %" + verb + " is not supported (supported: %v %s %d %f %e %g and %%)";
                throw new IllegalArgumentException("printf format \"" + format + "\": " + why);
            }
            if (lit.length() > 0) {
                parts.add(lit.toString());
                lit.setLength(0);
            }
            parts.add(new Verb(verb, minus, plus, space, zero, width, precision));
        }
        if (lit.length() > 0) {
            parts.add(lit.toString());
        }
        return new GoFormat(format, List.copyOf(parts));
    }

    /** The argument types the verbs take, in order. */
    List<ArgType> argTypes() {
        List<ArgType> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Verb) {
                out.add(((Verb) p).argType());
            }
        }
        return out;
    }

    String source() {
        return format;
    }

    /**
     * Applies the format; each argument is a {@code Double}, a {@code Long} or a {@code String} matching
     * {@link #argTypes()} ({@code %v} of another value is given as the text to print).
     */
    String apply(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        int a = 0;
        for (Object p : parts) {
            if (p instanceof String) {
                sb.append((String) p);
                continue;
            }
            Verb v = (Verb) p;
            Object arg = args.get(a++);
            String body;
            boolean numeric = arg instanceof Double;
            if (arg instanceof Long) {
                numeric = true;
                long l = (Long) arg;
                body = (l < 0 ? "-" : v.plus ? "+" : v.space ? " " : "") + (l < 0 ? Long.toString(l).substring(1) : Long.toString(l));
            } else if (numeric) {
                body = formatFloat((Double) arg, v.verb == 'v' ? 'g' : v.verb, v.verb == 'v' ? -1 : v.precision,
                        v.plus, v.space);
            } else {
                String s = (String) arg;
                body = v.precision >= 0 && v.precision < s.length() ? s.substring(0, v.precision) : s;
            }
            sb.append(pad(body, v.width, v.minus, v.zero && numeric && !v.minus && isFinite(body)));
        }
        return sb.toString();
    }

    private static boolean isFinite(String body) {
        return !body.contains("Inf") && !body.contains("NaN");
    }

    private static String pad(String body, int width, boolean left, boolean zeros) {
        if (width <= body.length()) {
            return body;
        }
        int n = width - body.length();
        if (left) {
            return body + " ".repeat(n);
        }
        if (zeros) {
            int signLen = !body.isEmpty() && "+- ".indexOf(body.charAt(0)) >= 0 ? 1 : 0;
            return body.substring(0, signLen) + "0".repeat(n) + body.substring(signLen);
        }
        return " ".repeat(n) + body;
    }

    /** Go's {@code %v} of a float64: the shortest {@code %g}. */
    static String formatValue(double v) {
        return formatFloat(v, 'g', -1, false, false);
    }

    /** Go's {@code fmt} of a float64 with verb {@code f F e E g G} and precision ({@code -1}: default). */
    static String formatFloat(double v, char verb, int precision, boolean plus, boolean space) {
        if (Double.isNaN(v)) {
            return plus ? "+NaN" : space ? " NaN" : "NaN";
        }
        boolean neg = v < 0 || (v == 0 && 1 / v < 0);
        String sign = neg ? "-" : plus ? "+" : space ? " " : "";
        if (Double.isInfinite(v)) {
            return (neg ? "-" : plus || !space ? "+" : " ") + "Inf";
        }
        BigDecimal exact = new BigDecimal(Math.abs(v));
        String body;
        switch (verb) {
            case 'f':
            case 'F': {
                int prec = precision < 0 ? 6 : precision;
                Digits d = Digits.of(exact.setScale(prec, RoundingMode.HALF_EVEN));
                body = fmtF(d, prec);
                break;
            }
            case 'e':
            case 'E': {
                int prec = precision < 0 ? 6 : precision;
                Digits d = v == 0 ? Digits.ZERO : Digits.of(exact.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN)));
                body = fmtE(d, prec, verb);
                break;
            }
            default: {
                boolean shortest = precision < 0;
                Digits d;
                int prec;
                if (v == 0) {
                    d = Digits.ZERO;
                    prec = shortest ? 0 : Math.max(precision, 1);
                } else if (shortest) {
                    d = Digits.shortest(Math.abs(v), exact);
                    prec = d.nd();
                } else {
                    prec = Math.max(precision, 1);
                    d = Digits.of(exact.round(new MathContext(prec, RoundingMode.HALF_EVEN)));
                }
                int eprec = prec;
                if (eprec > d.nd() && d.nd() >= d.dp) {
                    eprec = d.nd();
                }
                if (shortest) {
                    eprec = 6;
                }
                int exp = d.dp - 1;
                if (d.nd() > 0 && (exp < -4 || exp >= eprec)) {
                    if (prec > d.nd()) {
                        prec = d.nd();
                    }
                    body = fmtE(d, prec - 1, verb == 'G' ? 'E' : 'e');
                } else {
                    if (prec > d.dp) {
                        prec = d.nd();
                    }
                    body = fmtF(d, Math.max(prec - d.dp, 0));
                }
            }
        }
        return sign + body;
    }

    /** A decimal {@code 0.d1d2d3... × 10^dp}, digits without trailing zeros (none for zero). */
    private record Digits(String d, int dp) {
        static final Digits ZERO = new Digits("", 0);

        int nd() {
            return d.length();
        }

        char at(int i) {
            return i >= 0 && i < d.length() ? d.charAt(i) : '0';
        }

        static Digits of(BigDecimal x) {
            if (x.signum() == 0) {
                return ZERO;
            }
            BigDecimal s = x.stripTrailingZeros();
            String digits = s.unscaledValue().toString();
            return new Digits(digits, digits.length() - s.scale());
        }

        /** The shortest decimal that reads back as {@code v}: the closest one with the fewest digits. */
        static Digits shortest(double v, BigDecimal exact) {
            for (int p = 1; p < 17; p++) {
                BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
                if (r.doubleValue() == v) {
                    return of(r);
                }
            }
            return of(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
        }
    }

    private static String fmtF(Digits d, int prec) {
        StringBuilder sb = new StringBuilder();
        if (d.dp > 0) {
            for (int i = 0; i < d.dp; i++) {
                sb.append(d.at(i));
            }
        } else {
            sb.append('0');
        }
        if (prec > 0) {
            sb.append('.');
            for (int i = 0; i < prec; i++) {
                sb.append(d.at(d.dp + i));
            }
        }
        return sb.toString();
    }

    private static String fmtE(Digits d, int prec, char e) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.nd() == 0 ? '0' : d.at(0));
        if (prec > 0) {
            sb.append('.');
            for (int i = 1; i <= prec; i++) {
                sb.append(d.at(i));
            }
        }
        int exp = d.nd() == 0 ? 0 : d.dp - 1;
        sb.append(e == 'E' ? 'E' : 'e').append(exp < 0 ? '-' : '+');
        int a = Math.abs(exp);
        if (a < 10) {
            sb.append('0');
        }
        return sb.append(a).toString();
    }
}
