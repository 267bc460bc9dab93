package dev.modelwatch.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parser table tests: valid expressions give the expected normalised form (binary operations
 * parenthesized, so precedence and associativity show; numbers, durations and aggregations in one
 * spelling), which parses back to itself; invalid expressions give the exact error message with its
 * column.
 */
class RuleParserTest {
    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("accuracy{model=\"m\"} < 0.9", "(accuracy{model=\"m\"} < 0.9)"),
                Arguments.of("accuracy", "accuracy"),
                Arguments.of("accuracy{}", "accuracy"),
                Arguments.of("{__name__=\"accuracy\", model=\"m\"}", "accuracy{model=\"m\"}"),
                Arguments.of("accuracy{model=\"m\", region!=\"eu\", version=~\"v1.*\", env!~'dev|test',}",
                        "accuracy{model=\"m\", region!=\"eu\", version=~\"v1.*\", env!~\"dev|test\"}"),
                Arguments.of("accuracy{model=`a\\.b`}", "accuracy{model=\"a\\\\.b\"}"),
                Arguments.of("accuracy{model=\"say \\\"hi\\\"\\n\"}", "accuracy{model=\"say \\\"hi\\\"\\n\"}"),
                Arguments.of("job:accuracy:avg5m", "job:accuracy:avg5m"),
                // precedence and associativity
                Arguments.of("1 + 2 * 3", "(1 + (2 * 3))"),
                Arguments.of("1 - 2 - 3", "((1 - 2) - 3)"),
                Arguments.of("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"),
                Arguments.of("-2 ^ 2", "(-(2 ^ 2))"),
                Arguments.of("2 ^ -1", "(2 ^ -1)"),
                Arguments.of("-accuracy * 2", "((-accuracy) * 2)"),
                Arguments.of("- -1", "1"),
                Arguments.of("+5", "5"),
                Arguments.of("(1 + 2) * 3", "((1 + 2) * 3)"),
                Arguments.of("a + b * c == bool d", "((a + (b * c)) == bool d)"),
                Arguments.of("a or b and c unless d", "(a or ((b and c) unless d))"),
                Arguments.of("a > 1 and b < 2 or c", "(((a > 1) and (b < 2)) or c)"),
                Arguments.of("x >= 1 <= 2", "((x >= 1) <= 2)"),
                Arguments.of("x % 2 != 1", "((x % 2) != 1)"),
                // modifiers
                Arguments.of("a and on(model) b", "(a and on(model) b)"),
                Arguments.of("a + ignoring(version, region) b", "(a + ignoring(version, region) b)"),
                Arguments.of("a - on() b", "(a - on() b)"),
                Arguments.of("a > bool 0.9", "(a > bool 0.9)"),
                Arguments.of("a != bool on(model) b", "(a != bool on(model) b)"),
                Arguments.of("1 < bool 2", "(1 < bool 2)"),
                // numbers
                Arguments.of("NaN", "NaN"),
                Arguments.of("inf", "Inf"),
                Arguments.of("-Inf", "-Inf"),
                Arguments.of("1e-3", "0.001"),
                Arguments.of("1E3", "1000"),
                Arguments.of(".5", "0.5"),
                Arguments.of("0.000001", "1.0e-6"),
                Arguments.of("123456789012345678", "1.2345678901234568e17"),
                // durations, ranges, offsets
                Arguments.of("avg_over_time(x[90m])", "avg_over_time(x[1h30m])"),
                Arguments.of("avg_over_time(x[1h30m])", "avg_over_time(x[1h30m])"),
                Arguments.of("avg_over_time(x[1500ms])", "avg_over_time(x[1s500ms])"),
                Arguments.of("avg_over_time(x[1w2d3h4m5s6ms])", "avg_over_time(x[1w2d3h4m5s6ms])"),
                Arguments.of("avg_over_time(x[14d])", "avg_over_time(x[2w])"),
                Arguments.of("x offset 1h", "x offset 1h"),
                Arguments.of("x offset -5m", "x offset -5m"),
                Arguments.of("rate(x{a=\"b\"}[5m] offset 1d)", "rate(x{a=\"b\"}[5m] offset 1d)"),
                // functions
                Arguments.of("quantile_over_time(0.95, latency[1h])", "quantile_over_time(0.95, latency[1h])"),
                Arguments.of("increase(count[1h]) / 3600", "(increase(count[1h]) / 3600)"),
                Arguments.of("absent(accuracy{model=\"m\"})", "absent(accuracy{model=\"m\"})"),
                Arguments.of("absent_over_time(accuracy{model=\"m\"}[1h])", "absent_over_time(accuracy{model=\"m\"}[1h])"),
                Arguments.of("clamp_max(abs(x), 1 + 1)", "clamp_max(abs(x), (1 + 1))"),
                Arguments.of("clamp_min(x, -1)", "clamp_min(x, -1)"),
                Arguments.of("zscore(x[1h]) > 3", "(zscore(x[1h]) > 3)"),
                Arguments.of("abs(mad_score(x[6h])) > 3.5", "(abs(mad_score(x[6h])) > 3.5)"),
                Arguments.of("iqr_score(x[6h])", "iqr_score(x[6h])"),
                Arguments.of("ewma_band(x[1h], 0.3, 3)", "ewma_band(x[1h], 0.3, 3)"),
                Arguments.of("cusum(x[12h], 0.5, 10) == 1", "(cusum(x[12h], 0.5, 10) == 1)"),
                Arguments.of("cusum_statistic(x[12h], 0.5)", "cusum_statistic(x[12h], 0.5)"),
                Arguments.of("page_hinkley(x[1h], 0.01, 1)", "page_hinkley(x[1h], 0.01, 1)"),
                Arguments.of("page_hinkley_statistic(x[1h], 0)", "page_hinkley_statistic(x[1h], 0)"),
                Arguments.of("seasonal_score(accuracy{model=\"x\"}, 1d, 7)", "seasonal_score(accuracy{model=\"x\"}, 1d, 7)"),
                Arguments.of("seasonal_score(accuracy offset 1h, 168h, 4)", "seasonal_score(accuracy offset 1h, 1w, 4)"),
                // aggregations: both placements of the grouping give the prefix form
                Arguments.of("sum(rate(count[5m])) by (model)", "sum by (model) (rate(count[5m]))"),
                Arguments.of("sum by (model) (rate(count[5m]))", "sum by (model) (rate(count[5m]))"),
                Arguments.of("avg without (version) (accuracy)", "avg without (version) (accuracy)"),
                Arguments.of("count(accuracy)", "count(accuracy)"),
                Arguments.of("max by () (accuracy)", "max by () (accuracy)"),
                Arguments.of("min(x) without (a, b,)", "min without (a, b) (x)"),
                Arguments.of("sum(x) # a comment", "sum(x)"),
                Arguments.of("sum", "sum"),
                Arguments.of("sum by (model) (x > 1) / on(model) count by (model) (x)",
                        "(sum by (model) ((x > 1)) / on(model) count by (model) (x))"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void validExpressionHasItsNormalisedForm(String text, String normalised) {
        RuleExpression e = RuleExpression.parse(text);

        assertThat(e.toString()).isEqualTo(normalised);
        assertThat(RuleExpression.parse(normalised).toString()).as("normalised form parses back to itself")
                .isEqualTo(normalised);
        assertThat(e.text()).isEqualTo(text);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("avg_over_tim(x[5m])", "unknown function 'avg_over_tim' at column 1; did you mean avg_over_time?"),
                Arguments.of("zscor(x[5m])", "unknown function 'zscor' at column 1; did you mean zscore?"),
                Arguments.of("foo(x)", "unknown function 'foo' at column 1"),
                Arguments.of("sum(rate(x[5m]) by (model)", "expected ')' at column 17"),
                Arguments.of("avg_over_time(x[5m]", "expected ')' at column 20"),
                Arguments.of("(x", "expected ')' at column 3"),
                Arguments.of("x)", "unexpected ')' at column 2"),
                Arguments.of("", "empty expression at column 1"),
                Arguments.of("   ", "empty expression at column 1"),
                Arguments.of("x and", "unexpected end of input at column 6"),
                Arguments.of("and", "unexpected keyword 'and' at column 1"),
                Arguments.of("x =", "unexpected '=' at column 3; did you mean '=='?"),
                // types
                Arguments.of("x[5m]", "a rule must evaluate to an instant vector or a scalar, got range vector at column 1;"
                        + " apply a range function such as avg_over_time(...)"),
                Arguments.of("rate(x)", "argument 1 of rate must be a range vector, got instant vector at column 6;"
                        + " select a range such as x[5m]"),
                Arguments.of("abs(x[5m])", "argument 1 of abs must be an instant vector, got range vector at column 5"),
                Arguments.of("quantile_over_time(x[5m])", "argument 1 of quantile_over_time (q) must be a scalar, got range vector at column 20"),
                Arguments.of("x[5m] + 1", "binary operator '+' needs scalar or instant vector operands, got range vector"
                        + " on the left at column 7; apply a range function such as avg_over_time(...) first"),
                Arguments.of("-x[5m]", "unary '-' needs a scalar or instant vector, got range vector at column 1"),
                Arguments.of("sum(x[5m])", "aggregation 'sum' needs an instant vector, got range vector at column 5;"
                        + " apply a range function such as avg_over_time(...) first"),
                Arguments.of("sum(1)", "aggregation 'sum' needs an instant vector, got scalar at column 5"),
                Arguments.of("1 < 2", "comparisons between scalars must use the bool modifier at column 3"),
                Arguments.of("1 and x", "set operator 'and' needs instant vectors on both sides, got scalar on the left at column 3"),
                Arguments.of("x or 1", "set operator 'or' needs instant vectors on both sides, got scalar on the right at column 3"),
                Arguments.of("x + bool y", "bool modifier can only be used on comparison operators at column 5"),
                Arguments.of("x + on(model) 1", "vector matching (on) only applies between two instant vectors at column 5"),
                Arguments.of("x + group_left y", "many-to-one matching (group_left) is not supported at column 5;"
                        + " only one-to-one vector matching is; aggregate the 'many' side first"),
                Arguments.of("x * on(a) group_right(b) y", "many-to-one matching (group_right) is not supported at column 11;"
                        + " only one-to-one vector matching is; aggregate the 'many' side first"),
                // arguments
                Arguments.of("rate(x[5m], 1)", "too many arguments: rate takes 1 argument at column 13"),
                Arguments.of("rate()", "rate takes 1 argument, got 0 at column 6"),
                Arguments.of("quantile_over_time(0.9 x[5m])", "expected ',' at column 24"),
                Arguments.of("ewma_band(x[1h], 1.5, 3)", "alpha of ewma_band must be in (0, 1), got 1.5 at column 18"),
                Arguments.of("ewma_band(x[1h], a, 3)", "argument 2 of ewma_band (alpha) must be a number literal at column 18"),
                Arguments.of("ewma_band(x[1h], 0.3, -3)", "k of ewma_band must be positive and finite, got -3 at column 23"),
                Arguments.of("cusum(x[1h], 0.5, 0)", "h of cusum must be > 0, got 0 at column 19"),
                Arguments.of("page_hinkley(x[1h], -1, 5)", "delta of page_hinkley must be >= 0 and finite, got -1 at column 21"),
                Arguments.of("seasonal_score(x[1h], 1d, 7)", "argument 1 of seasonal_score must be a vector selector name{...} at column 16"),
                Arguments.of("seasonal_score(x, 7, 7)", "argument 2 of seasonal_score (period) must be a duration such as 1d,"
                        + " got number 7 at column 19"),
                Arguments.of("seasonal_score(x, 1d, 1)", "periods of seasonal_score must be an integer from 2 to 1000, got 1 at column 23"),
                Arguments.of("seasonal_score(x, 1d, 2.5)", "periods of seasonal_score must be an integer from 2 to 1000, got 2.5 at column 23"),
                Arguments.of("topk(3, x)", "aggregation 'topk' is not supported at column 1; supported: sum, avg, min, max, count"),
                Arguments.of("sum by (model) x", "expected '(' at column 16"),
                Arguments.of("sum(x) by (a) by (b)", "unexpected 'by' at column 15"),
                // selectors and matchers
                Arguments.of("x{model=~\"a(\"}", "invalid regular expression \"a(\": Unclosed group at column 10"),
                Arguments.of("x{model=\"a}", "unterminated string at column 9"),
                Arguments.of("x{model==\"a\"}", "expected a label matcher operator (=, !=, =~, !~) at column 8;"
                        + " label matchers use '=' for equality"),
                Arguments.of("x{model}", "expected a label matcher operator (=, !=, =~, !~) at column 8"),
                Arguments.of("x{model=a}", "expected a quoted string at column 9"),
                Arguments.of("x{model=\"a\" region=\"b\"}", "expected ',' or '}' at column 13"),
                Arguments.of("x{\"a\"=\"b\"}", "expected a label name at column 3"),
                Arguments.of("{model=\"a\"}", "a selector needs a metric name at column 1; write name{...} or {__name__=\"name\", ...}"),
                Arguments.of("{__name__=~\"acc.*\"}", "the metric name can only be matched with __name__=\"...\" at column 2"),
                Arguments.of("x{__name__=\"y\"}", "metric name must not be set twice at column 3"),
                Arguments.of("x{a=\"\\d\"}", "unknown escape sequence '\\d' at column 6; write a backslash as \\\\ or use a `raw string`"),
                Arguments.of("x by (a:b)", "unexpected 'by' at column 3"),
                Arguments.of("sum by (a:b) (x)", "invalid label name 'a:b' at column 9"),
                // ranges, offsets, durations
                Arguments.of("rate((x)[5m])", "a range [..] can only follow a vector selector at column 9; subqueries are not supported"),
                Arguments.of("rate(x[5m:1m])", "subqueries are not supported at column 10"),
                Arguments.of("rate(x[5])", "expected a duration such as 5m at column 8"),
                Arguments.of("rate(x[0s])", "range must be positive at column 8"),
                Arguments.of("rate(x[5m] offset)", "expected a duration after offset at column 18"),
                Arguments.of("rate(x offset 5m[5m])", "a range [..] must come before offset at column 17"),
                Arguments.of("abs(x) offset 5m", "offset can only follow a vector or range selector at column 8"),
                Arguments.of("x offset 1h offset 2h", "unexpected 'offset' at column 13"),
                Arguments.of("rate(x[30m1h])", "invalid duration '30m1h': units must go from largest to smallest, each at most once at column 8"),
                Arguments.of("rate(x[5min])", "invalid duration '5min': units are y, w, d, h, m, s, ms at column 8"),
                Arguments.of("rate(x[5m30])", "invalid duration '5m30': units are y, w, d, h, m, s, ms at column 8"),
                Arguments.of("1.5h", "invalid number or duration '1.5h' at column 1"),
                Arguments.of("5m", "unexpected duration 5m at column 1; durations go in ranges such as x[5m], after offset,"
                        + " or in a period argument"),
                Arguments.of("\"x\"", "unexpected string \"x\" at column 1; strings are only allowed as label matcher values"),
                // characters
                Arguments.of("x @ 100", "the @ modifier is not supported at column 3"),
                Arguments.of("!x", "unexpected character '!' at column 1; did you mean '!=' or '!~'?"),
                Arguments.of("x ; y", "unexpected character ';' at column 3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidExpressionGivesTheExactErrorWithColumn(String text, String message) {
        assertThatThrownBy(() -> RuleExpression.parse(text)).isInstanceOf(RuleParseException.class).hasMessage(message);
    }

    @Test
    void errorCarriesReasonColumnAndHintSeparately() {
        RuleParseException e = catchParse("avg_over_tim(x[5m])");

        assertThat(e.reason()).isEqualTo("unknown function 'avg_over_tim'");
        assertThat(e.column()).isEqualTo(1);
        assertThat(e.hint()).isEqualTo("did you mean avg_over_time?");
        assertThat(catchParse("rate(x[5m]").hint()).isNull();
    }

    @Test
    void treeCarriesTypesColumnsAndCompiledMatchers() {
        Expr root = RuleExpression.parse("sum by (model) (rate(count{model=~\"fr.*\"}[5m])) > 2").root();

        assertThat(root).isInstanceOf(Expr.Binary.class);
        Expr.Binary b = (Expr.Binary) root;
        assertThat(b.type()).isEqualTo(ValueType.INSTANT_VECTOR);
        assertThat(b.op()).isEqualTo(Expr.BinaryOperator.GTR);
        Expr.Aggregation agg = (Expr.Aggregation) b.lhs();
        assertThat(agg.grouping()).isEqualTo(Expr.Grouping.BY);
        assertThat(agg.labels()).containsExactly("model");
        Expr.Call rate = (Expr.Call) agg.operand();
        assertThat(rate.column()).isEqualTo(17);
        Expr.MatrixSelector range = (Expr.MatrixSelector) rate.args().get(0);
        assertThat(range.rangeMs()).isEqualTo(300_000L);
        assertThat(range.type()).isEqualTo(ValueType.RANGE_VECTOR);
        LabelMatcher m = range.selector().matchers().get(0);
        assertThat(m.matches("fraud")).isTrue();
        assertThat(m.matches("antifraud")).as("regex matches the whole value").isFalse();
        assertThat(RuleExpression.parse("1 + 2").type()).isEqualTo(ValueType.SCALAR);
    }

    @Test
    void labelMatchersTreatAMissingLabelAsEmpty() {
        SeriesLabels noRegion = SeriesLabels.of("__name__", "x", "model", "a");

        assertThat(LabelMatcher.equal("region", "").matches(noRegion)).isTrue();
        assertThat(LabelMatcher.of("region", LabelMatcher.Type.NOT_EQUAL, "eu").matches(noRegion)).isTrue();
        assertThat(LabelMatcher.of("region", LabelMatcher.Type.REGEX, "eu|").matches(noRegion)).isTrue();
        assertThat(LabelMatcher.of("model", LabelMatcher.Type.NOT_REGEX, "a|b").matches(noRegion)).isFalse();
        assertThat(LabelMatcher.of("model", LabelMatcher.Type.NOT_REGEX, "a|b").toString()).isEqualTo("model!~\"a|b\"");
    }

    @Test
    void seriesLabelsAreSortedWithEmptyValuesDroppedAndValidated() {
        SeriesLabels l = SeriesLabels.of("version", "1", "__name__", "accuracy", "model", "a", "region", "");

        assertThat(l.size()).isEqualTo(3);
        assertThat(List.of(l.name(0), l.name(1), l.name(2))).containsExactly("__name__", "model", "version");
        assertThat(l.toString()).isEqualTo("accuracy{model=\"a\", version=\"1\"}");
        assertThat(l.withoutMetricName().toString()).isEqualTo("{model=\"a\", version=\"1\"}");
        assertThat(l.keepOnly(List.of("model"))).isEqualTo(SeriesLabels.of("model", "a"));
        assertThat(l.without(List.of("model"))).isEqualTo(SeriesLabels.of("__name__", "accuracy", "version", "1"));
        assertThat(l.with("region", "eu").get("region")).isEqualTo("eu");
        assertThat(SeriesLabels.metric("accuracy", java.util.Map.of("model", "a", "version", "1"))).isEqualTo(l);
        assertThat(SeriesLabels.of().toString()).isEqualTo("{}");
        assertThatThrownBy(() -> SeriesLabels.of("a-b", "1")).hasMessage("label name 'a-b' must match [a-zA-Z_][a-zA-Z0-9_]*");
        assertThatThrownBy(() -> SeriesLabels.of("a", "1", "a", "2")).hasMessage("label 'a' is given twice");
        assertThatThrownBy(() -> SeriesLabels.of("__name__", "1x")).hasMessage("metric name '1x' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
        assertThatThrownBy(() -> new RangeSeries(l, new long[] {2, 1}, new double[] {0, 0}))
                .hasMessage("timestampsMs must be strictly ascending: accuracy{model=\"a\", version=\"1\"} has 1 after 2 at index 1");
    }

    private static RuleParseException catchParse(String text) {
        try {
            RuleExpression.parse(text);
        } catch (RuleParseException e) {
            return e;
        }
        throw new AssertionError("no error for " + text);
    }
}
