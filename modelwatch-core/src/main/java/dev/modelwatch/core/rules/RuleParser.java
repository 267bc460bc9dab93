package dev.modelwatch.core.rules;

import dev.modelwatch.core.rules.Expr.AggregationOperator;
import dev.modelwatch.core.rules.Expr.BinaryOperator;
import dev.modelwatch.core.rules.Expr.Grouping;
import dev.modelwatch.core.rules.Expr.VectorMatching;
import dev.modelwatch.core.rules.RuleLexer.Token;
import dev.modelwatch.core.rules.RuleLexer.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive-descent parser of the rule language into a type-checked {@link Expr}. Precedence, lowest
 * first: {@code or}; {@code and unless}; {@code == != < > <= >=}; {@code + -}; {@code * / %}; unary
 * {@code -}/{@code +}; {@code ^} (right-associative, binds tighter than unary minus: {@code -2 ^ 2}
 * is {@code -(2 ^ 2)}, as in PromQL); then postfix {@code [range]} and {@code offset d}.
 */
final class RuleParser {
    /** Largest {@code periods} of {@code seasonal_score}: each period is one select from the source. */
    static final int MAX_SEASONAL_PERIODS = 1000;

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "bool", "offset", "group_left", "group_right");
    private static final Set<String> UNSUPPORTED_AGGREGATIONS = Set.of("stddev", "stdvar", "topk", "bottomk",
            "quantile", "count_values", "group", "limitk", "limit_ratio");

    private final List<Token> tokens;
    private int index;

    private RuleParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static Expr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        RuleParser p = new RuleParser(RuleLexer.tokenize(text));
        if (p.peek().is(Type.EOF)) {
            throw new RuleParseException("empty expression", 1);
        }
        Expr e = p.expression(1);
        Token rest = p.peek();
        if (!rest.is(Type.EOF)) {
            throw new RuleParseException("unexpected " + rest.describe(), rest.column(),
                    rest.is(Type.ASSIGN) ? "did you mean '=='?" : null);
        }
        if (e.type() == ValueType.RANGE_VECTOR) {
            throw new RuleParseException("a rule must evaluate to an instant vector or a scalar, got range vector",
                    e.column(), "apply a range function such as avg_over_time(...)");
        }
        return e;
    }

    private Token peek() {
        return tokens.get(index);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(index);
        if (!t.is(Type.EOF)) {
            index++;
        }
        return t;
    }

    private Token expect(Type type, String what) {
        Token t = peek();
        if (!t.is(type)) {
            throw new RuleParseException("expected " + what, t.column());
        }
        return next();
    }

    /** Binary operations of precedence {@code >= minPrecedence} (precedence climbing). */
    private Expr expression(int minPrecedence) {
        Expr lhs = unary();
        while (true) {
            Token opToken = peek();
            BinaryOperator op = binaryOperator(opToken);
            if (op == null || op.precedence() < minPrecedence) {
                return lhs;
            }
            next();
            boolean returnBool = false;
            if (peek().isKeyword("bool")) {
                Token b = next();
                if (!op.isComparison()) {
                    throw new RuleParseException("bool modifier can only be used on comparison operators", b.column());
                }
                returnBool = true;
            }
            VectorMatching matching = null;
            int matchingColumn = 0;
            if (peek().isKeyword("on") || peek().isKeyword("ignoring")) {
                Token m = next();
                matchingColumn = m.column();
                matching = new VectorMatching(m.text().equals("on"), labelList());
            }
            if (peek().isKeyword("group_left") || peek().isKeyword("group_right")) {
                Token g = peek();
                throw new RuleParseException("many-to-one matching (" + g.text() + ") is not supported", g.column(),
                        "only one-to-one vector matching is; aggregate the 'many' side first");
            }
            Expr rhs = expression(op.isRightAssociative() ? op.precedence() : op.precedence() + 1);
            lhs = binary(op, opToken, lhs, rhs, returnBool, matching, matchingColumn);
        }
    }

    private static BinaryOperator binaryOperator(Token t) {
        switch (t.type()) {
            case PLUS:
                return BinaryOperator.ADD;
            case MINUS:
                return BinaryOperator.SUB;
            case STAR:
                return BinaryOperator.MUL;
            case SLASH:
                return BinaryOperator.DIV;
            case PERCENT:
                return BinaryOperator.MOD;
            case CARET:
                return BinaryOperator.POW;
            case EQ_EQ:
                return BinaryOperator.EQL;
            case BANG_EQ:
                return BinaryOperator.NEQ;
            case LESS:
                return BinaryOperator.LSS;
            case GREATER:
                return BinaryOperator.GTR;
            case LESS_EQ:
                return BinaryOperator.LTE;
            case GREATER_EQ:
                return BinaryOperator.GTE;
            case IDENTIFIER:
                if (t.text().equals("and")) {
                    return BinaryOperator.AND;
                }
                if (t.text().equals("or")) {
                    return BinaryOperator.OR;
                }
                if (t.text().equals("unless")) {
                    return BinaryOperator.UNLESS;
                }
                return null;
            default:
                return null;
        }
    }

    private static Expr binary(BinaryOperator op, Token opToken, Expr lhs, Expr rhs, boolean returnBool,
            VectorMatching matching, int matchingColumn) {
        String name = "'" + op.symbol() + "'";
        if (op.isSetOperator()) {
            if (lhs.type() != ValueType.INSTANT_VECTOR || rhs.type() != ValueType.INSTANT_VECTOR) {
                boolean left = lhs.type() != ValueType.INSTANT_VECTOR;
                throw new RuleParseException("set operator " + name + " needs instant vectors on both sides, got "
                        + (left ? lhs : rhs).type() + " on the " + (left ? "left" : "right"), opToken.column());
            }
        } else {
            if (lhs.type() == ValueType.RANGE_VECTOR || rhs.type() == ValueType.RANGE_VECTOR) {
                boolean left = lhs.type() == ValueType.RANGE_VECTOR;
                throw new RuleParseException("binary operator " + name
                        + " needs scalar or instant vector operands, got range vector on the " + (left ? "left" : "right"),
                        opToken.column(), "apply a range function such as avg_over_time(...) first");
            }
            if (op.isComparison() && !returnBool && lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR) {
                throw new RuleParseException("comparisons between scalars must use the bool modifier", opToken.column());
            }
        }
        if (matching != null && (lhs.type() == ValueType.SCALAR || rhs.type() == ValueType.SCALAR)) {
            throw new RuleParseException("vector matching (" + (matching.on() ? "on" : "ignoring")
                    + ") only applies between two instant vectors", matchingColumn);
        }
        return new Expr.Binary(op, lhs, rhs, returnBool, matching, lhs.column());
    }

    private Expr unary() {
        Token t = peek();
        if (t.is(Type.MINUS) || t.is(Type.PLUS)) {
            next();
            Expr operand = expression(BinaryOperator.POW.precedence());
            if (operand.type() == ValueType.RANGE_VECTOR) {
                throw new RuleParseException("unary '" + t.text() + "' needs a scalar or instant vector, got range vector",
                        t.column());
            }
            if (t.is(Type.PLUS)) {
                return operand;
            }
            if (operand instanceof Expr.NumberLiteral) {
                return new Expr.NumberLiteral(-((Expr.NumberLiteral) operand).value(), t.column());
            }
            return new Expr.Negation(operand, t.column());
        }
        return postfix();
    }

    private Expr postfix() {
        boolean parenthesized = peek().is(Type.LEFT_PAREN);
        Expr e = primary();
        if (peek().is(Type.LEFT_BRACKET)) {
            Token bracket = next();
            if (!(e instanceof Expr.VectorSelector) || parenthesized) {
                throw new RuleParseException("a range [..] can only follow a vector selector", bracket.column(),
                        "subqueries are not supported");
            }
            Token d = next();
            if (!d.is(Type.DURATION)) {
                throw new RuleParseException("expected a duration such as 5m", d.column());
            }
            if (d.millis() <= 0) {
                throw new RuleParseException("range must be positive", d.column());
            }
            if (peek().is(Type.COLON)) {
                throw new RuleParseException("subqueries are not supported", peek().column());
            }
            expect(Type.RIGHT_BRACKET, "']'");
            e = new Expr.MatrixSelector((Expr.VectorSelector) e, d.millis(), e.column());
        }
        if (peek().isKeyword("offset")) {
            Token o = next();
            if (!(e instanceof Expr.VectorSelector || e instanceof Expr.MatrixSelector) || parenthesized) {
                throw new RuleParseException("offset can only follow a vector or range selector", o.column());
            }
            boolean negative = false;
            if (peek().is(Type.MINUS)) {
                next();
                negative = true;
            }
            Token d = next();
            if (!d.is(Type.DURATION)) {
                throw new RuleParseException("expected a duration after offset", d.column());
            }
            long offset = negative ? -d.millis() : d.millis();
            if (e instanceof Expr.VectorSelector) {
                Expr.VectorSelector s = (Expr.VectorSelector) e;
                e = new Expr.VectorSelector(s.metricName(), s.matchers(), offset, s.column());
            } else {
                Expr.MatrixSelector m = (Expr.MatrixSelector) e;
                Expr.VectorSelector s = m.selector();
                e = new Expr.MatrixSelector(new Expr.VectorSelector(s.metricName(), s.matchers(), offset, s.column()),
                        m.rangeMs(), m.column());
            }
            if (peek().is(Type.LEFT_BRACKET)) {
                throw new RuleParseException("a range [..] must come before offset", peek().column());
            }
        }
        return e;
    }

    private Expr primary() {
        Token t = peek();
        switch (t.type()) {
            case NUMBER:
                next();
                return new Expr.NumberLiteral(t.number(), t.column());
            case DURATION:
                throw new RuleParseException("unexpected duration " + t.text(), t.column(),
                        "durations go in ranges such as x[5m], after offset, or in a period argument");
            case STRING:
                throw new RuleParseException("unexpected " + t.describe(), t.column(),
                        "strings are only allowed as label matcher values");
            case LEFT_PAREN: {
                next();
                Expr e = expression(1);
                expect(Type.RIGHT_PAREN, "')'");
                return e;
            }
            case LEFT_BRACE:
                return selector(null, t.column());
            case IDENTIFIER:
                return identifierExpression(t);
            case EOF:
                throw new RuleParseException("unexpected end of input", t.column());
            default:
                throw new RuleParseException("unexpected " + t.describe(), t.column());
        }
    }

    private Expr identifierExpression(Token t) {
        String name = t.text();
        if (KEYWORDS.contains(name)) {
            throw new RuleParseException("unexpected keyword '" + name + "'", t.column());
        }
        Token after = peek(1);
        boolean opens = after.is(Type.LEFT_PAREN) || after.isKeyword("by") || after.isKeyword("without");
        AggregationOperator agg = AggregationOperator.byKeyword(name);
        if (agg != null && opens) {
            return aggregation(agg);
        }
        if (UNSUPPORTED_AGGREGATIONS.contains(name) && opens) {
            throw new RuleParseException("aggregation '" + name + "' is not supported", t.column(),
                    "supported: sum, avg, min, max, count");
        }
        if (after.is(Type.LEFT_PAREN)) {
            return call();
        }
        next();
        return selector(name, t.column());
    }

    /** {@code name}, {@code name{matchers}} or {@code {matchers}} (then {@code __name__="..."} names it). */
    private Expr.VectorSelector selector(String name, int column) {
        List<LabelMatcher> matchers = new ArrayList<>();
        List<Integer> columns = new ArrayList<>();
        int braceColumn = column;
        if (peek().is(Type.LEFT_BRACE)) {
            braceColumn = next().column();
            while (!peek().is(Type.RIGHT_BRACE)) {
                Token label = next();
                if (!label.is(Type.IDENTIFIER)) {
                    throw new RuleParseException("expected a label name", label.column());
                }
                if (!SeriesLabels.isLabelName(label.text())) {
                    throw new RuleParseException("invalid label name '" + label.text() + "'", label.column());
                }
                Token op = next();
                LabelMatcher.Type type = matcherType(op);
                Token value = next();
                if (!value.is(Type.STRING)) {
                    throw new RuleParseException("expected a quoted string", value.column());
                }
                try {
                    matchers.add(LabelMatcher.of(label.text(), type, value.text()));
                } catch (PatternSyntaxException e) {
                    StringBuilder quoted = new StringBuilder();
                    LabelMatcher.appendQuoted(quoted, value.text());
                    throw new RuleParseException("invalid regular expression " + quoted + ": " + e.getDescription(),
                            value.column());
                }
                columns.add(label.column());
                if (peek().is(Type.COMMA)) {
                    next();
                } else if (!peek().is(Type.RIGHT_BRACE)) {
                    throw new RuleParseException("expected ',' or '}'", peek().column());
                }
            }
            next();
        }
        String metricName = name;
        for (int i = 0; i < matchers.size(); i++) {
            LabelMatcher m = matchers.get(i);
            if (!m.name().equals(SeriesLabels.METRIC_NAME)) {
                continue;
            }
            if (metricName != null) {
                throw new RuleParseException("metric name must not be set twice", columns.get(i));
            }
            if (m.type() != LabelMatcher.Type.EQUAL) {
                throw new RuleParseException("the metric name can only be matched with " + SeriesLabels.METRIC_NAME
                        + "=\"...\"", columns.get(i));
            }
            if (!SeriesLabels.isMetricName(m.value())) {
                throw new RuleParseException("invalid metric name '" + m.value() + "'", columns.get(i));
            }
            metricName = m.value();
            matchers.remove(i);
            columns.remove(i);
            i--;
        }
        if (metricName == null) {
            throw new RuleParseException("a selector needs a metric name", braceColumn,
                    "write name{...} or {__name__=\"name\", ...}");
        }
        return new Expr.VectorSelector(metricName, matchers, 0, column);
    }

    private static LabelMatcher.Type matcherType(Token op) {
        switch (op.type()) {
            case ASSIGN:
                return LabelMatcher.Type.EQUAL;
            case BANG_EQ:
                return LabelMatcher.Type.NOT_EQUAL;
            case EQ_TILDE:
                return LabelMatcher.Type.REGEX;
            case BANG_TILDE:
                return LabelMatcher.Type.NOT_REGEX;
            default:
                throw new RuleParseException("expected a label matcher operator (=, !=, =~, !~)", op.column(),
                        op.is(Type.EQ_EQ) ? "label matchers use '=' for equality" : null);
        }
    }

    /** {@code op [by|without (l, ..)] (expr) [by|without (l, ..)]}. */
    private Expr aggregation(AggregationOperator op) {
        Token opToken = next();
        Grouping grouping = Grouping.NONE;
        List<String> labels = List.of();
        if (peek().isKeyword("by") || peek().isKeyword("without")) {
            grouping = next().text().equals("by") ? Grouping.BY : Grouping.WITHOUT;
            labels = labelList();
        }
        expect(Type.LEFT_PAREN, "'('");
        Expr operand = expression(1);
        expect(Type.RIGHT_PAREN, "')'");
        if (grouping == Grouping.NONE && (peek().isKeyword("by") || peek().isKeyword("without"))) {
            grouping = next().text().equals("by") ? Grouping.BY : Grouping.WITHOUT;
            labels = labelList();
        }
        if (operand.type() != ValueType.INSTANT_VECTOR) {
            throw new RuleParseException("aggregation '" + op.keyword() + "' needs an instant vector, got "
                    + operand.type(), operand.column(), operand.type() == ValueType.RANGE_VECTOR
                    ? "apply a range function such as avg_over_time(...) first" : null);
        }
        return new Expr.Aggregation(op, operand, grouping, labels, opToken.column());
    }

    /** {@code (label, ...)}, possibly empty, a trailing comma allowed. */
    private List<String> labelList() {
        expect(Type.LEFT_PAREN, "'('");
        List<String> labels = new ArrayList<>();
        while (!peek().is(Type.RIGHT_PAREN)) {
            Token l = next();
            if (!l.is(Type.IDENTIFIER)) {
                throw new RuleParseException("expected a label name", l.column());
            }
            if (!SeriesLabels.isLabelName(l.text())) {
                throw new RuleParseException("invalid label name '" + l.text() + "'", l.column());
            }
            labels.add(l.text());
            if (peek().is(Type.COMMA)) {
                next();
            } else if (!peek().is(Type.RIGHT_PAREN)) {
                throw new RuleParseException("expected ',' or ')'", peek().column());
            }
        }
        next();
        return labels;
    }

    private Expr call() {
        Token nameToken = next();
        String name = nameToken.text();
        RuleFunction f = RuleFunction.byName(name);
        if (f == null) {
            String suggestion = closestName(name);
            throw new RuleParseException("unknown function '" + name + "'", nameToken.column(),
                    suggestion == null ? null : "did you mean " + suggestion + "?");
        }
        expect(Type.LEFT_PAREN, "'('");
        List<RuleFunction.Param> params = f.params();
        List<Expr> args = new ArrayList<>();
        if (!peek().is(Type.RIGHT_PAREN)) {
            while (true) {
                if (args.size() == params.size()) {
                    throw new RuleParseException("too many arguments: " + name + " takes " + count(params.size()),
                            peek().column());
                }
                args.add(argument(f, args.size()));
                if (!peek().is(Type.COMMA)) {
                    break;
                }
                next();
            }
        }
        Token close = peek();
        if (!close.is(Type.RIGHT_PAREN)) {
            throw new RuleParseException(args.size() < params.size() ? "expected ','" : "expected ')'", close.column());
        }
        if (args.size() < params.size()) {
            throw new RuleParseException(name + " takes " + count(params.size()) + ", got " + args.size(),
                    close.column());
        }
        next();
        validate(f, args);
        return new Expr.Call(f, args, nameToken.column());
    }

    private static String count(int n) {
        return n + (n == 1 ? " argument" : " arguments");
    }

    private Expr argument(RuleFunction f, int i) {
        RuleFunction.Param p = f.params().get(i);
        String which = "argument " + (i + 1) + " of " + f.functionName()
                + (p.kind() == RuleFunction.Kind.NUMBER || p.kind() == RuleFunction.Kind.SCALAR
                        || p.kind() == RuleFunction.Kind.DURATION ? " (" + p.name() + ")" : "");
        if (p.kind() == RuleFunction.Kind.DURATION) {
            Token d = next();
            if (!d.is(Type.DURATION)) {
                throw new RuleParseException(which + " must be " + p.kind() + ", got " + d.describe(), d.column());
            }
            if (d.millis() <= 0) {
                throw new RuleParseException(which + " must be positive", d.column());
            }
            return new Expr.DurationLiteral(d.millis(), d.column());
        }
        Expr e = expression(1);
        boolean ok;
        switch (p.kind()) {
            case RANGE_VECTOR:
                ok = e.type() == ValueType.RANGE_VECTOR;
                break;
            case INSTANT_VECTOR:
                ok = e.type() == ValueType.INSTANT_VECTOR;
                break;
            case SCALAR:
                ok = e.type() == ValueType.SCALAR;
                break;
            case NUMBER:
                ok = e instanceof Expr.NumberLiteral;
                break;
            default:
                ok = e instanceof Expr.VectorSelector;
                break;
        }
        if (!ok) {
            String got = p.kind() == RuleFunction.Kind.NUMBER || p.kind() == RuleFunction.Kind.SELECTOR
                    ? "" : ", got " + e.type();
            String hint = p.kind() == RuleFunction.Kind.RANGE_VECTOR && e instanceof Expr.VectorSelector
                    ? "select a range such as " + ((Expr.VectorSelector) e).selectorText() + "[5m]" : null;
            throw new RuleParseException(which + " must be " + p.kind() + got, e.column(), hint);
        }
        return e;
    }

    /** Range checks of detector parameters (number literals, so known now). */
    private static void validate(RuleFunction f, List<Expr> args) {
        switch (f) {
            case EWMA_BAND:
                check(f, args, 1, "alpha", v -> v > 0 && v < 1, "in (0, 1)");
                check(f, args, 2, "k", v -> v > 0 && v < Double.POSITIVE_INFINITY, "positive and finite");
                break;
            case CUSUM:
                check(f, args, 1, "k", v -> v >= 0 && v < Double.POSITIVE_INFINITY, ">= 0 and finite");
                check(f, args, 2, "h", v -> v > 0, "> 0");
                break;
            case CUSUM_STATISTIC:
                check(f, args, 1, "k", v -> v >= 0 && v < Double.POSITIVE_INFINITY, ">= 0 and finite");
                break;
            case PAGE_HINKLEY:
                check(f, args, 1, "delta", v -> v >= 0 && v < Double.POSITIVE_INFINITY, ">= 0 and finite");
                check(f, args, 2, "lambda", v -> v > 0, "> 0");
                break;
            case PAGE_HINKLEY_STATISTIC:
                check(f, args, 1, "delta", v -> v >= 0 && v < Double.POSITIVE_INFINITY, ">= 0 and finite");
                break;
            case SEASONAL_SCORE:
                check(f, args, 2, "periods", v -> v == Math.rint(v) && v >= 2 && v <= MAX_SEASONAL_PERIODS,
                        "an integer from 2 to " + MAX_SEASONAL_PERIODS);
                break;
            default:
                break;
        }
    }

    private interface Condition {
        boolean holds(double v);
    }

    private static void check(RuleFunction f, List<Expr> args, int i, String name, Condition c, String what) {
        Expr.NumberLiteral n = (Expr.NumberLiteral) args.get(i);
        if (!c.holds(n.value())) {
            throw new RuleParseException(name + " of " + f.functionName() + " must be " + what + ", got "
                    + Expr.formatNumber(n.value()), n.column());
        }
    }

    /** The function or aggregation name closest to {@code name} in edit distance, if close enough. */
    private static String closestName(String name) {
        List<String> candidates = new ArrayList<>();
        for (RuleFunction f : RuleFunction.values()) {
            candidates.add(f.functionName());
        }
        for (AggregationOperator a : AggregationOperator.values()) {
            candidates.add(a.keyword());
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(name, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(1, Math.min(3, name.length() / 3));
        return bestDistance <= allowed ? best : null;
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
