package dev.modelwatch.core.rules;

import java.util.List;
import java.util.Locale;

/**
 * The syntax tree of a rule expression, as {@link RuleExpression#parse(String)} builds it: immutable,
 * type-checked, every node with its {@link ValueType} and the 1-based column where it starts.
 *
 * <p>{@code toString()} gives the normalised form, which parses back to itself: every binary operation
 * in parentheses {@code (lhs op rhs)} (so precedence and associativity are visible), numbers as
 * {@link #formatNumber} writes them ({@code 5}, {@code 0.001}, {@code 1.0e-6}, {@code NaN},
 * {@code -Inf}), durations in largest units first ({@code 90m} as {@code 1h30m}), matchers in the order
 * written with double-quoted values, aggregations in prefix form ({@code sum by (model) (x)}), negation
 * as {@code (-x)}, a negated number literal folded into the literal ({@code -1}).
 */
public sealed interface Expr permits Expr.NumberLiteral, Expr.DurationLiteral, Expr.VectorSelector,
        Expr.MatrixSelector, Expr.Negation, Expr.Binary, Expr.Aggregation, Expr.Call {

    ValueType type();

    /** 1-based column of the node's first character in the expression text. */
    int column();

    /** Binary operators, with PromQL precedence (higher binds tighter). */
    enum BinaryOperator {
        POW("^", 6), MUL("*", 5), DIV("/", 5), MOD("%", 5), ADD("+", 4), SUB("-", 4),
        EQL("==", 3), NEQ("!=", 3), GTR(">", 3), LSS("<", 3), GTE(">=", 3), LTE("<=", 3),
        AND("and", 2), UNLESS("unless", 2), OR("or", 1);

        private final String symbol;
        private final int precedence;

        BinaryOperator(String symbol, int precedence) {
            this.symbol = symbol;
            this.precedence = precedence;
        }

        public String symbol() {
            return symbol;
        }

        public int precedence() {
            return precedence;
        }

        public boolean isComparison() {
            return precedence == 3;
        }

        /** {@code and}, {@code or}, {@code unless}. */
        public boolean isSetOperator() {
            return precedence <= 2;
        }

        public boolean isArithmetic() {
            return precedence >= 4;
        }

        /** Only {@code ^}: {@code 2 ^ 3 ^ 2} is {@code 2 ^ (3 ^ 2)}. */
        public boolean isRightAssociative() {
            return this == POW;
        }
    }

    /** Aggregation operators. */
    enum AggregationOperator {
        SUM, AVG, MIN, MAX, COUNT;

        /** As written: {@code sum}, {@code avg}, ... */
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The operator written {@code keyword}, or null. */
        public static AggregationOperator byKeyword(String keyword) {
            for (AggregationOperator op : values()) {
                if (op.keyword().equals(keyword)) {
                    return op;
                }
            }
            return null;
        }
    }

    /** How an aggregation groups its input series. */
    enum Grouping {
        /** All series into one group with no labels. */
        NONE,
        /** By the listed labels only. */
        BY,
        /** By all labels except the listed ones and {@code __name__}. */
        WITHOUT
    }

    /**
     * Which labels identify matching series on the two sides of a vector-vector operation:
     * {@code on(labels)} (only those) or {@code ignoring(labels)} (all others, less {@code __name__}).
     */
    record VectorMatching(boolean on, List<String> labels) {
        public VectorMatching {
            labels = List.copyOf(labels);
        }

        @Override
        public String toString() {
            return (on ? "on(" : "ignoring(") + String.join(", ", labels) + ")";
        }
    }

    /** A number: {@code 0.9}, {@code 1e-3}, {@code NaN}, {@code Inf}. */
    record NumberLiteral(double value, int column) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public String toString() {
            return formatNumber(value);
        }
    }

    /** A duration argument ({@code seasonal_score}'s period); as a scalar it is its length in seconds. */
    record DurationLiteral(long millis, int column) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public String toString() {
            return Durations.format(millis);
        }
    }

    /**
     * {@code name{matchers} [offset d]}: each matching series' latest sample within the lookback delta
     * before the evaluation time less the offset.
     */
    record VectorSelector(String metricName, List<LabelMatcher> matchers, long offsetMs, int column) implements Expr {
        public VectorSelector {
            if (!SeriesLabels.isMetricName(metricName)) {
                throw new IllegalArgumentException("metricName '" + metricName + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
            }
            matchers = List.copyOf(matchers);
        }

        @Override
        public ValueType type() {
            return ValueType.INSTANT_VECTOR;
        }

        /** The selector without its offset clause. */
        String selectorText() {
            StringBuilder sb = new StringBuilder(metricName);
            if (!matchers.isEmpty()) {
                sb.append('{');
                for (int i = 0; i < matchers.size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(matchers.get(i));
                }
                sb.append('}');
            }
            return sb.toString();
        }

        String offsetText() {
            return offsetMs == 0 ? "" : " offset " + Durations.format(offsetMs);
        }

        @Override
        public String toString() {
            return selectorText() + offsetText();
        }
    }

    /** {@code name{matchers}[range] [offset d]}: each matching series' samples in {@code (t - offset - range, t - offset]}. */
    record MatrixSelector(VectorSelector selector, long rangeMs, int column) implements Expr {
        public MatrixSelector {
            if (rangeMs <= 0) {
                throw new IllegalArgumentException("rangeMs must be > 0, was " + rangeMs);
            }
        }

        @Override
        public ValueType type() {
            return ValueType.RANGE_VECTOR;
        }

        @Override
        public String toString() {
            return selector.selectorText() + "[" + Durations.format(rangeMs) + "]" + selector.offsetText();
        }
    }

    /** Unary minus. */
    record Negation(Expr operand, int column) implements Expr {
        @Override
        public ValueType type() {
            return operand.type();
        }

        @Override
        public String toString() {
            return "(-" + operand + ")";
        }
    }

    /**
     * A binary operation.
     *
     * @param returnBool the {@code bool} modifier of a comparison: 0/1 instead of filtering
     * @param matching   {@code on(..)} / {@code ignoring(..)}, or null for the default (all labels less
     *                   {@code __name__})
     */
    record Binary(BinaryOperator op, Expr lhs, Expr rhs, boolean returnBool, VectorMatching matching, int column)
            implements Expr {
        @Override
        public ValueType type() {
            return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR ? ValueType.SCALAR
                    : ValueType.INSTANT_VECTOR;
        }

        @Override
        public String toString() {
            return "(" + lhs + " " + op.symbol() + (returnBool ? " bool" : "")
                    + (matching == null ? "" : " " + matching) + " " + rhs + ")";
        }
    }

    /** {@code op [by|without (labels)] (operand)}. */
    record Aggregation(AggregationOperator op, Expr operand, Grouping grouping, List<String> labels, int column)
            implements Expr {
        public Aggregation {
            labels = List.copyOf(labels);
        }

        @Override
        public ValueType type() {
            return ValueType.INSTANT_VECTOR;
        }

        @Override
        public String toString() {
            String g = grouping == Grouping.NONE ? ""
                    : " " + grouping.name().toLowerCase(Locale.ROOT) + " (" + String.join(", ", labels) + ")";
            return op.keyword() + (g.isEmpty() ? "(" : g + " (") + operand + ")";
        }
    }

    /** A function call. */
    record Call(RuleFunction function, List<Expr> args, int column) implements Expr {
        public Call {
            args = List.copyOf(args);
        }

        @Override
        public ValueType type() {
            return ValueType.INSTANT_VECTOR;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(function.functionName()).append('(');
            for (int i = 0; i < args.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(args.get(i));
            }
            return sb.append(')').toString();
        }
    }

    /**
     * A number as the normalised form writes it: integers below 1e15 without a fraction ({@code 5},
     * {@code -2}), others as Java's shortest repr with a lower-case exponent ({@code 0.9},
     * {@code 1.0e-4}), {@code NaN}, {@code Inf}, {@code -Inf}.
     */
    static String formatNumber(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return (v == 0 && 1 / v < 0) ? "-0" : Long.toString((long) v);
        }
        return Double.toString(v).replace('E', 'e');
    }
}
