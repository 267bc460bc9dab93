package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.Expr;
import dev.modelwatch.core.rules.RuleFunction;
import dev.modelwatch.core.rules.ValueType;
import java.util.OptionalLong;

/**
 * Whether a rule expression can be evaluated one model at a time, and for how long after a model's
 * newest data its result can still change as time passes (its horizon).
 *
 * <p>An expression is evaluated per model when each of its result series depends only on the series
 * of one model: its aggregations keep the {@code model} label ({@code by (model, ...)} or
 * {@code without (...)} not naming it), its vector matchings keep it, and it uses none of
 * {@code absent}, {@code absent_over_time} (whether anything matches is a question about every model)
 * or {@code count_over_time} (the number of samples of a series that has a zero for every closed
 * window, {@code count} and {@code throughput_per_s}, depends on where a range boundary falls).
 *
 * <p>The horizon is the longest time a sample stays visible to the expression: a selector's offset
 * plus the lookback delta, a range selector's offset plus its range, {@code seasonal_score}'s periods
 * too. Once an evaluation lies more than the horizon after the end of a model's newest window with
 * data, later evaluations give that model the same result until its data changes.
 *
 * <p>The alignment is the greatest common divisor of those durations: when a model's window divides
 * it, samples (at window ends) enter and leave the expression's ranges only at multiples of the
 * window, so the result cannot change between two window boundaries either.
 */
public final class RuleModelScope {
    static final String MODEL = "model";

    private RuleModelScope() {
    }

    /** The horizon of {@code expr}, or empty when it cannot be evaluated one model at a time. */
    public static OptionalLong perModelHorizon(Expr expr, long lookbackDeltaMs) {
        long h = horizon(expr, lookbackDeltaMs);
        return h < 0 ? OptionalLong.empty() : OptionalLong.of(h);
    }

    /** The greatest common divisor of the durations {@code expr} reads over (0 when it reads none). */
    public static long alignment(Expr expr, long lookbackDeltaMs) {
        if (expr instanceof Expr.VectorSelector s) {
            return gcd(Math.abs(s.offsetMs()), lookbackDeltaMs);
        }
        if (expr instanceof Expr.MatrixSelector m) {
            return gcd(Math.abs(m.selector().offsetMs()), m.rangeMs());
        }
        if (expr instanceof Expr.Negation n) {
            return alignment(n.operand(), lookbackDeltaMs);
        }
        if (expr instanceof Expr.Binary b) {
            return gcd(alignment(b.lhs(), lookbackDeltaMs), alignment(b.rhs(), lookbackDeltaMs));
        }
        if (expr instanceof Expr.Aggregation a) {
            return alignment(a.operand(), lookbackDeltaMs);
        }
        if (expr instanceof Expr.Call c) {
            long g = 0;
            for (Expr arg : c.args()) {
                g = gcd(g, arg instanceof Expr.DurationLiteral d ? Math.abs(d.millis()) : alignment(arg, lookbackDeltaMs));
            }
            return g;
        }
        return 0;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** The horizon, or -1 when not separable by model. */
    private static long horizon(Expr e, long lookback) {
        if (e instanceof Expr.NumberLiteral || e instanceof Expr.DurationLiteral) {
            return 0;
        }
        if (e instanceof Expr.VectorSelector s) {
            return Math.max(0, s.offsetMs() + lookback);
        }
        if (e instanceof Expr.MatrixSelector m) {
            return Math.max(0, m.selector().offsetMs() + m.rangeMs());
        }
        if (e instanceof Expr.Negation n) {
            return horizon(n.operand(), lookback);
        }
        if (e instanceof Expr.Binary b) {
            boolean vectorVector = b.lhs().type() != ValueType.SCALAR && b.rhs().type() != ValueType.SCALAR;
            if (vectorVector && b.matching() != null && b.matching().on() != b.matching().labels().contains(MODEL)) {
                return -1;
            }
            return max(horizon(b.lhs(), lookback), horizon(b.rhs(), lookback));
        }
        if (e instanceof Expr.Aggregation a) {
            boolean keepsModel = switch (a.grouping()) {
                case NONE -> false;
                case BY -> a.labels().contains(MODEL);
                case WITHOUT -> !a.labels().contains(MODEL);
            };
            return keepsModel ? horizon(a.operand(), lookback) : -1;
        }
        if (e instanceof Expr.Call c) {
            RuleFunction f = c.function();
            if (f == RuleFunction.ABSENT || f == RuleFunction.ABSENT_OVER_TIME || f == RuleFunction.COUNT_OVER_TIME) {
                return -1;
            }
            if (f == RuleFunction.SEASONAL_SCORE) {
                long period = ((Expr.DurationLiteral) c.args().get(1)).millis();
                long periods = (long) ((Expr.NumberLiteral) c.args().get(2)).value();
                return max(horizon(c.args().get(0), lookback), 0) + period * periods;
            }
            long h = 0;
            for (Expr arg : c.args()) {
                h = max(h, horizon(arg, lookback));
            }
            return h;
        }
        return -1;
    }

    private static long max(long a, long b) {
        return a < 0 || b < 0 ? -1 : Math.max(a, b);
    }
}
