package dev.modelwatch.core.rules;

import dev.modelwatch.core.detect.Cusum;
import dev.modelwatch.core.detect.EwmaBand;
import dev.modelwatch.core.detect.MadDetector;
import dev.modelwatch.core.detect.PageHinkley;
import dev.modelwatch.core.detect.SeasonalBaseline;
import dev.modelwatch.core.detect.ZScoreDetector;
import dev.modelwatch.core.rules.Expr.BinaryOperator;
import dev.modelwatch.core.rules.Expr.VectorMatching;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One evaluation of a type-checked {@link Expr} at one time against one {@link SeriesSource}.
 *
 * <p>Instant vectors are parallel arrays (labels, values) owned by the node that made them, so that
 * filters and element-wise operations work in place: a selector compared with a scalar allocates two
 * arrays of the selected series' length and the result list, nothing per sample.
 */
final class Evaluator {
    private static final Comparator<InstantSample> BY_LABELS = Comparator.comparing(InstantSample::labels);

    private final SeriesSource source;
    private final long time;
    private final long lookback;

    Evaluator(SeriesSource source, long time, long lookback) {
        this.source = source;
        this.time = time;
        this.lookback = lookback;
    }

    /** An instant vector under construction: parallel arrays and a size. */
    static final class InstantVector {
        SeriesLabels[] labels;
        double[] values;
        int size;

        InstantVector(int capacity) {
            labels = new SeriesLabels[Math.max(capacity, 1)];
            values = new double[labels.length];
        }

        void add(SeriesLabels l, double v) {
            if (size == labels.length) {
                labels = Arrays.copyOf(labels, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            labels[size] = l;
            values[size] = v;
            size++;
        }
    }

    /** A range vector: each series with the index range {@code [from, to)} of its samples in the window. */
    static final class RangeVector {
        RangeSeries[] series;
        int[] from;
        int[] to;
        int size;

        RangeVector(int capacity) {
            series = new RangeSeries[capacity];
            from = new int[capacity];
            to = new int[capacity];
        }
    }

    List<InstantSample> evaluate(Expr root) {
        if (root.type() == ValueType.SCALAR) {
            return List.of(new InstantSample(SeriesLabels.EMPTY, scalar(root)));
        }
        InstantVector v = vector(root);
        List<InstantSample> out = new ArrayList<>(v.size);
        for (int i = 0; i < v.size; i++) {
            out.add(new InstantSample(v.labels[i], v.values[i]));
        }
        out.sort(BY_LABELS);
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).labels().equals(out.get(i - 1).labels())) {
                throw new RuleEvaluationException("the result holds two series with the labels " + out.get(i).labels()
                        + " (their metric names were dropped); keep them apart with a label or aggregate them");
            }
        }
        return Collections.unmodifiableList(out);
    }

    // ---------------------------------------------------------------- scalars

    private double scalar(Expr e) {
        if (e instanceof Expr.NumberLiteral) {
            return ((Expr.NumberLiteral) e).value();
        }
        if (e instanceof Expr.DurationLiteral) {
            return ((Expr.DurationLiteral) e).millis() / 1000.0;
        }
        if (e instanceof Expr.Negation) {
            return -scalar(((Expr.Negation) e).operand());
        }
        if (e instanceof Expr.Binary) {
            Expr.Binary b = (Expr.Binary) e;
            double l = scalar(b.lhs());
            double r = scalar(b.rhs());
            if (b.op().isComparison()) {
                return compare(b.op(), l, r) ? 1 : 0;
            }
            return arithmetic(b.op(), l, r);
        }
        throw new IllegalStateException("not a scalar expression: " + e);
    }

    static boolean compare(BinaryOperator op, double l, double r) {
        switch (op) {
            case EQL:
                return l == r;
            case NEQ:
                return l != r;
            case GTR:
                return l > r;
            case LSS:
                return l < r;
            case GTE:
                return l >= r;
            case LTE:
                return l <= r;
            default:
                throw new IllegalStateException("not a comparison: " + op);
        }
    }

    static double arithmetic(BinaryOperator op, double l, double r) {
        switch (op) {
            case ADD:
                return l + r;
            case SUB:
                return l - r;
            case MUL:
                return l * r;
            case DIV:
                return l / r;
            case MOD:
                return l % r; // IEEE fmod, the sign of the dividend: Go's math.Mod
            case POW:
                // Go's math.Pow, which PromQL uses: Pow(1, y) = 1 and Pow(-1, ±Inf) = 1 (Java gives NaN)
                if (l == 1 || (l == -1 && Double.isInfinite(r))) {
                    return 1;
                }
                return Math.pow(l, r);
            default:
                throw new IllegalStateException("not arithmetic: " + op);
        }
    }

    // ---------------------------------------------------------------- instant vectors

    private InstantVector vector(Expr e) {
        if (e instanceof Expr.VectorSelector) {
            return select((Expr.VectorSelector) e, time);
        }
        if (e instanceof Expr.Negation) {
            InstantVector v = vector(((Expr.Negation) e).operand());
            for (int i = 0; i < v.size; i++) {
                v.values[i] = -v.values[i];
                v.labels[i] = v.labels[i].withoutMetricName();
            }
            return v;
        }
        if (e instanceof Expr.Binary) {
            return binary((Expr.Binary) e);
        }
        if (e instanceof Expr.Aggregation) {
            return aggregate((Expr.Aggregation) e);
        }
        if (e instanceof Expr.Call) {
            return call((Expr.Call) e);
        }
        throw new IllegalStateException("not an instant vector expression: " + e);
    }

    /** Each series' latest sample in {@code (at - offset - lookback, at - offset]}. */
    private InstantVector select(Expr.VectorSelector s, long at) {
        long end = at - s.offsetMs();
        long start = end - lookback;
        List<RangeSeries> selected = selectFrom(s, start, end);
        InstantVector v = new InstantVector(selected.size());
        for (RangeSeries series : selected) {
            int last = series.firstAfter(end) - 1;
            if (last >= 0 && series.timestampsMs()[last] > start) {
                v.add(series.labels(), series.values()[last]);
            }
        }
        return v;
    }

    private List<RangeSeries> selectFrom(Expr.VectorSelector s, long fromExclusive, long toInclusive) {
        List<RangeSeries> selected = source.select(s.metricName(), s.matchers(), fromExclusive, toInclusive);
        if (selected == null) {
            throw new IllegalStateException("the series source returned null for " + s.selectorText());
        }
        return selected;
    }

    private InstantVector binary(Expr.Binary b) {
        if (b.lhs().type() == ValueType.SCALAR) {
            double s = scalar(b.lhs());
            return scalarVector(b, s, vector(b.rhs()), true);
        }
        if (b.rhs().type() == ValueType.SCALAR) {
            InstantVector v = vector(b.lhs());
            return scalarVector(b, scalar(b.rhs()), v, false);
        }
        InstantVector l = vector(b.lhs());
        InstantVector r = vector(b.rhs());
        return b.op().isSetOperator() ? setOperation(b, l, r) : vectorVector(b, l, r);
    }

    /** Vector op scalar (or scalar op vector), in place. */
    private static InstantVector scalarVector(Expr.Binary b, double s, InstantVector v, boolean scalarOnLeft) {
        BinaryOperator op = b.op();
        int kept = 0;
        for (int i = 0; i < v.size; i++) {
            double x = v.values[i];
            double l = scalarOnLeft ? s : x;
            double r = scalarOnLeft ? x : s;
            if (op.isComparison()) {
                boolean holds = compare(op, l, r);
                if (b.returnBool()) {
                    v.values[kept] = holds ? 1 : 0;
                    v.labels[kept] = v.labels[i].withoutMetricName();
                    kept++;
                } else if (holds) {
                    v.values[kept] = x; // the vector's value, on either side (as PromQL)
                    v.labels[kept] = v.labels[i];
                    kept++;
                }
            } else {
                v.values[kept] = arithmetic(op, l, r);
                v.labels[kept] = v.labels[i].withoutMetricName();
                kept++;
            }
        }
        v.size = kept;
        return v;
    }

    private static SeriesLabels signature(SeriesLabels labels, VectorMatching matching) {
        if (matching == null) {
            return labels.withoutMetricName();
        }
        return matching.on() ? labels.keepOnly(matching.labels()) : labels.without(matching.labels(), true);
    }

    /** One-to-one vector matching. */
    private static InstantVector vectorVector(Expr.Binary b, InstantVector l, InstantVector r) {
        BinaryOperator op = b.op();
        VectorMatching matching = b.matching();
        Map<SeriesLabels, Integer> right = new HashMap<>(r.size * 2);
        for (int j = 0; j < r.size; j++) {
            SeriesLabels sig = signature(r.labels[j], matching);
            if (right.put(sig, j) != null) {
                throw new RuleEvaluationException("many-to-one matching is not supported: more than one series on"
                        + " the right of '" + op.symbol() + "' has the match group " + sig
                        + "; match on labels that tell them apart with on(...)/ignoring(...), or aggregate that side");
            }
        }
        Set<SeriesLabels> matched = new HashSet<>();
        InstantVector out = new InstantVector(Math.min(l.size, r.size));
        for (int i = 0; i < l.size; i++) {
            SeriesLabels sig = signature(l.labels[i], matching);
            Integer j = right.get(sig);
            if (j == null) {
                continue;
            }
            double lv = l.values[i];
            double rv = r.values[j];
            double value;
            if (op.isComparison()) {
                boolean holds = compare(op, lv, rv);
                if (!holds && !b.returnBool()) {
                    continue;
                }
                value = b.returnBool() ? (holds ? 1 : 0) : lv;
            } else {
                value = arithmetic(op, lv, rv);
            }
            if (!matched.add(sig)) {
                throw new RuleEvaluationException("many-to-one matching is not supported: more than one series on"
                        + " the left of '" + op.symbol() + "' matches the group " + sig + " on the right; match on"
                        + " labels that tell them apart with on(...)/ignoring(...), or aggregate that side");
            }
            SeriesLabels labels = l.labels[i];
            if (op.isArithmetic() || b.returnBool()) {
                labels = labels.withoutMetricName();
            }
            if (matching != null) {
                labels = matching.on() ? labels.keepOnly(matching.labels()) : labels.without(matching.labels(), false);
            }
            out.add(labels, value);
        }
        return out;
    }

    /** {@code and}, {@code unless} (filters of the left side, in place) and {@code or}. */
    private static InstantVector setOperation(Expr.Binary b, InstantVector l, InstantVector r) {
        VectorMatching matching = b.matching();
        if (b.op() == BinaryOperator.OR) {
            Set<SeriesLabels> left = new HashSet<>();
            for (int i = 0; i < l.size; i++) {
                left.add(signature(l.labels[i], matching));
            }
            for (int j = 0; j < r.size; j++) {
                if (!left.contains(signature(r.labels[j], matching))) {
                    l.add(r.labels[j], r.values[j]);
                }
            }
            return l;
        }
        Set<SeriesLabels> right = new HashSet<>();
        for (int j = 0; j < r.size; j++) {
            right.add(signature(r.labels[j], matching));
        }
        boolean keepMatched = b.op() == BinaryOperator.AND;
        int kept = 0;
        for (int i = 0; i < l.size; i++) {
            if (right.contains(signature(l.labels[i], matching)) == keepMatched) {
                l.labels[kept] = l.labels[i];
                l.values[kept] = l.values[i];
                kept++;
            }
        }
        l.size = kept;
        return l;
    }

    /** Running state of one aggregation group. */
    private static final class Group {
        double sum;
        double min = Double.NaN;
        double max = Double.NaN;
        long count;
    }

    private InstantVector aggregate(Expr.Aggregation a) {
        InstantVector v = vector(a.operand());
        Map<SeriesLabels, Group> groups = new LinkedHashMap<>();
        for (int i = 0; i < v.size; i++) {
            SeriesLabels key;
            switch (a.grouping()) {
                case BY:
                    key = v.labels[i].keepOnly(a.labels());
                    break;
                case WITHOUT:
                    key = v.labels[i].without(a.labels(), true);
                    break;
                default:
                    key = SeriesLabels.EMPTY;
                    break;
            }
            Group g = groups.computeIfAbsent(key, k -> new Group());
            double x = v.values[i];
            g.sum += x;
            g.count++;
            if (x < g.min || Double.isNaN(g.min)) { // NaN only when every value is NaN, as Prometheus
                g.min = x;
            }
            if (x > g.max || Double.isNaN(g.max)) {
                g.max = x;
            }
        }
        InstantVector out = new InstantVector(groups.size());
        for (Map.Entry<SeriesLabels, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            double value;
            switch (a.op()) {
                case SUM:
                    value = g.sum;
                    break;
                case AVG:
                    value = g.sum / g.count;
                    break;
                case MIN:
                    value = g.min;
                    break;
                case MAX:
                    value = g.max;
                    break;
                default:
                    value = g.count;
                    break;
            }
            out.add(e.getKey(), value);
        }
        return out;
    }

    // ---------------------------------------------------------------- range vectors and functions

    /** Each series' samples in {@code (t - offset - range, t - offset]}; series without any are left out. */
    private RangeVector range(Expr.MatrixSelector m) {
        Expr.VectorSelector s = m.selector();
        long end = time - s.offsetMs();
        long start = end - m.rangeMs();
        List<RangeSeries> selected = selectFrom(s, start, end);
        RangeVector r = new RangeVector(selected.size());
        for (RangeSeries series : selected) {
            int from = series.firstAfter(start);
            int to = series.firstAfter(end);
            if (from < to) {
                r.series[r.size] = series;
                r.from[r.size] = from;
                r.to[r.size] = to;
                r.size++;
            }
        }
        return r;
    }

    private InstantVector call(Expr.Call c) {
        List<Expr> args = c.args();
        RuleFunction f = c.function();
        switch (f) {
            case ABSENT: {
                InstantVector v = vector(args.get(0));
                return absent(v.size == 0, args.get(0));
            }
            case ABSENT_OVER_TIME: {
                Expr.MatrixSelector m = (Expr.MatrixSelector) args.get(0);
                return absent(range(m).size == 0, m.selector());
            }
            case ABS:
            case CLAMP_MIN:
            case CLAMP_MAX: {
                InstantVector v = vector(args.get(0));
                double bound = f == RuleFunction.ABS ? 0 : scalar(args.get(1));
                for (int i = 0; i < v.size; i++) {
                    double x = v.values[i];
                    v.values[i] = f == RuleFunction.ABS ? Math.abs(x)
                            : f == RuleFunction.CLAMP_MIN ? Math.max(x, bound) : Math.min(x, bound);
                    v.labels[i] = v.labels[i].withoutMetricName();
                }
                return v;
            }
            case SEASONAL_SCORE:
                return seasonal(c);
            case QUANTILE_OVER_TIME:
                return quantileOverTime(scalar(args.get(0)), range((Expr.MatrixSelector) args.get(1)));
            default:
                return rangeFunction(c, range((Expr.MatrixSelector) args.get(0)));
        }
    }

    /** absent(): one sample of value 1 labelled by the selector's equality matchers, when nothing was selected. */
    private static InstantVector absent(boolean nothing, Expr arg) {
        InstantVector out = new InstantVector(1);
        if (!nothing) {
            return out;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (arg instanceof Expr.VectorSelector) {
            Set<String> repeated = new HashSet<>();
            for (LabelMatcher m : ((Expr.VectorSelector) arg).matchers()) {
                if (m.type() == LabelMatcher.Type.EQUAL && labels.put(m.name(), m.value()) != null) {
                    repeated.add(m.name());
                }
            }
            labels.keySet().removeAll(repeated);
        }
        out.add(SeriesLabels.of(labels), 1);
        return out;
    }

    private InstantVector rangeFunction(Expr.Call c, RangeVector r) {
        RuleFunction f = c.function();
        List<Expr> args = c.args();
        Expr.MatrixSelector m = (Expr.MatrixSelector) args.get(0);
        long rangeEnd = time - m.selector().offsetMs();
        long rangeStart = rangeEnd - m.rangeMs();
        EwmaBand ewma = f == RuleFunction.EWMA_BAND ? new EwmaBand(number(args, 1), number(args, 2)) : null;
        Cusum cusum = f == RuleFunction.CUSUM ? new Cusum(number(args, 1), number(args, 2))
                : f == RuleFunction.CUSUM_STATISTIC ? new Cusum(number(args, 1), Double.POSITIVE_INFINITY) : null;
        PageHinkley pageHinkley = f == RuleFunction.PAGE_HINKLEY ? new PageHinkley(number(args, 1), number(args, 2))
                : f == RuleFunction.PAGE_HINKLEY_STATISTIC ? new PageHinkley(number(args, 1), Double.POSITIVE_INFINITY)
                : null;
        InstantVector out = new InstantVector(r.size);
        for (int i = 0; i < r.size; i++) {
            RangeSeries s = r.series[i];
            double[] v = s.values();
            int from = r.from[i];
            int to = r.to[i];
            double value;
            switch (f) {
                case AVG_OVER_TIME:
                case SUM_OVER_TIME: {
                    double sum = 0;
                    for (int j = from; j < to; j++) {
                        sum += v[j];
                    }
                    value = f == RuleFunction.SUM_OVER_TIME ? sum : sum / (to - from);
                    break;
                }
                case MIN_OVER_TIME:
                case MAX_OVER_TIME: {
                    boolean min = f == RuleFunction.MIN_OVER_TIME;
                    value = v[from];
                    for (int j = from + 1; j < to; j++) {
                        if ((min ? v[j] < value : v[j] > value) || Double.isNaN(value)) {
                            value = v[j];
                        }
                    }
                    break;
                }
                case COUNT_OVER_TIME:
                    value = to - from;
                    break;
                case LAST_OVER_TIME:
                    value = v[to - 1];
                    break;
                case RATE:
                case INCREASE:
                case DELTA:
                    if (to - from < 2) {
                        continue;
                    }
                    value = extrapolatedRate(s.timestampsMs(), v, from, to, rangeStart, rangeEnd,
                            f != RuleFunction.DELTA, f == RuleFunction.RATE);
                    break;
                case ZSCORE:
                    value = ZScoreDetector.scoreLast(v, from, to).score();
                    break;
                case MAD_SCORE:
                    value = MadDetector.MAD.scoreLast(v, from, to).score();
                    break;
                case IQR_SCORE:
                    value = MadDetector.IQR.scoreLast(v, from, to).score();
                    break;
                case EWMA_BAND:
                    value = ewma.scoreLast(v, from, to).score();
                    break;
                case CUSUM:
                    value = cusum.run(v, from, to).indicator();
                    break;
                case CUSUM_STATISTIC:
                    value = cusum.run(v, from, to).statistic();
                    break;
                case PAGE_HINKLEY:
                    value = pageHinkley.run(v, from, to).indicator();
                    break;
                case PAGE_HINKLEY_STATISTIC:
                    value = pageHinkley.run(v, from, to).statistic();
                    break;
                default:
                    throw new IllegalStateException("not a range function: " + f);
            }
            out.add(f == RuleFunction.LAST_OVER_TIME ? s.labels() : s.labels().withoutMetricName(), value);
        }
        return out;
    }

    private static double number(List<Expr> args, int i) {
        return ((Expr.NumberLiteral) args.get(i)).value();
    }

    /**
     * Prometheus's {@code extrapolatedRate} (promql/functions.go, v3): the difference between the last
     * and first sample (for counters plus every value before a decrease), extrapolated towards the range's
     * ends by at most half the average sample interval beyond a gap of 1.1 intervals, and for counters not
     * below zero; {@code rate} divides by the range in seconds.
     */
    static double extrapolatedRate(long[] ts, double[] v, int from, int to, long rangeStart, long rangeEnd,
            boolean counter, boolean perSecond) {
        double first = v[from];
        double result = v[to - 1] - first;
        if (counter) {
            double previous = first;
            for (int j = from + 1; j < to; j++) {
                if (v[j] < previous) {
                    result += previous;
                }
                previous = v[j];
            }
        }
        double durationToStart = (ts[from] - rangeStart) / 1000.0;
        double durationToEnd = (rangeEnd - ts[to - 1]) / 1000.0;
        double sampledInterval = (ts[to - 1] - ts[from]) / 1000.0;
        double averageInterval = sampledInterval / (to - from - 1);
        double threshold = averageInterval * 1.1;
        double extrapolateTo = sampledInterval;
        if (durationToStart >= threshold) {
            durationToStart = averageInterval / 2;
        }
        if (counter && result > 0 && first >= 0) {
            double durationToZero = sampledInterval * (first / result);
            if (durationToZero < durationToStart) {
                durationToStart = durationToZero;
            }
        }
        extrapolateTo += durationToStart;
        if (durationToEnd >= threshold) {
            durationToEnd = averageInterval / 2;
        }
        extrapolateTo += durationToEnd;
        double factor = extrapolateTo / sampledInterval;
        if (perSecond) {
            factor /= (rangeEnd - rangeStart) / 1000.0;
        }
        return result * factor;
    }

    /** Linear interpolation at rank {@code q (n - 1)}, NaN samples first (Prometheus's quantile). */
    private static InstantVector quantileOverTime(double q, RangeVector r) {
        InstantVector out = new InstantVector(r.size);
        int longest = 0;
        for (int i = 0; i < r.size; i++) {
            longest = Math.max(longest, r.to[i] - r.from[i]);
        }
        double[] scratch = new double[longest];
        for (int i = 0; i < r.size; i++) {
            int n = r.to[i] - r.from[i];
            double value;
            if (Double.isNaN(q)) {
                value = Double.NaN;
            } else if (q < 0) {
                value = Double.NEGATIVE_INFINITY;
            } else if (q > 1) {
                value = Double.POSITIVE_INFINITY;
            } else {
                int nans = 0;
                int k = 0;
                double[] v = r.series[i].values();
                for (int j = r.from[i]; j < r.to[i]; j++) {
                    if (Double.isNaN(v[j])) {
                        nans++;
                    } else {
                        scratch[k++] = v[j];
                    }
                }
                Arrays.sort(scratch, 0, k);
                System.arraycopy(scratch, 0, scratch, nans, k);
                Arrays.fill(scratch, 0, nans, Double.NaN);
                double rank = q * (n - 1);
                int lower = (int) Math.max(0, Math.floor(rank));
                int upper = Math.min(n - 1, lower + 1);
                double weight = rank - Math.floor(rank);
                value = scratch[lower] * (1 - weight) + scratch[upper] * weight;
            }
            out.add(r.series[i].labels().withoutMetricName(), value);
        }
        return out;
    }

    /** The selector now against itself {@code i * period} earlier, {@code i = 1..periods}. */
    private InstantVector seasonal(Expr.Call c) {
        Expr.VectorSelector s = (Expr.VectorSelector) c.args().get(0);
        long period = ((Expr.DurationLiteral) c.args().get(1)).millis();
        int periods = (int) number(c.args(), 2);
        InstantVector current = select(s, time);
        Map<SeriesLabels, Integer> index = new HashMap<>(current.size * 2);
        for (int i = 0; i < current.size; i++) {
            index.put(current.labels[i], i);
        }
        double[][] previous = new double[current.size][periods];
        int[] counts = new int[current.size];
        for (int p = 1; p <= periods && current.size > 0; p++) {
            InstantVector then = select(s, time - p * period);
            for (int j = 0; j < then.size; j++) {
                Integer i = index.get(then.labels[j]);
                if (i != null) {
                    previous[i][counts[i]++] = then.values[j];
                }
            }
        }
        InstantVector out = new InstantVector(current.size);
        for (int i = 0; i < current.size; i++) {
            out.add(current.labels[i].withoutMetricName(),
                    SeasonalBaseline.score(current.values[i], previous[i], 0, counts[i]).score());
        }
        return out;
    }
}
