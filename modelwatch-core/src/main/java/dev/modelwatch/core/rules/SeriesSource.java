package dev.modelwatch.core.rules;

import java.util.List;

/**
 * Where a rule expression reads its series: the server implements it over its metric store, tests
 * over a list in memory.
 *
 * <p>Contract: {@link #select} returns every series of metric {@code metricName} whose labels satisfy
 * all {@code matchers} (a missing label counts as the empty string, as in PromQL, so
 * {@code region!="eu"} also selects series without {@code region}), each with its samples at times
 * {@code t} with {@code fromMsExclusive < t <= toMsInclusive}, in ascending time order. A series with
 * no sample in the range may be returned or left out; samples outside the range are ignored. Labels
 * must be unique across the returned series. The evaluator reads the returned arrays and never
 * changes them; it calls {@code select} once per selector of the expression per evaluation (and once
 * per period for {@code seasonal_score}).
 */
@FunctionalInterface
public interface SeriesSource {
    /**
     * @param metricName      the metric ({@code __name__})
     * @param matchers        label matchers on other labels, all of which must match (possibly none)
     * @param fromMsExclusive start of the time range, exclusive
     * @param toMsInclusive   end of the time range, inclusive
     */
    List<RangeSeries> select(String metricName, List<LabelMatcher> matchers, long fromMsExclusive, long toMsInclusive);
}
