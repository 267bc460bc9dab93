package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesSource;
import java.util.List;
import java.util.Set;

/**
 * A series source whose series each belong to one model (label {@code model}), that can be asked for
 * some models only and says when each model's data last changed — what lets rule evaluation skip the
 * models whose series did not change ({@link IncrementalRuleEvaluator}).
 */
public interface PerModelSeriesSource extends SeriesSource {
    /**
     * What a model's series depend on, cheap to read for every model.
     *
     * @param model          its name (the {@code model} label of its series)
     * @param changeSequence changes whenever what its series are computed from changes (events applied,
     *                       late labels, its spec or reference replaced)
     * @param dataEndMs      no window with data of this model ends after this (Long.MIN_VALUE: no data)
     * @param windowMs       its window length: its samples lie at multiples of it
     */
    record ModelData(String model, long changeSequence, long dataEndMs, long windowMs) {
    }

    /**
     * The source as one evaluation pass reads it: may keep what the pass read (the same closed window
     * read by several rules) for the pass's life, which ends when the pass does. This one when it keeps
     * nothing.
     */
    default PerModelSeriesSource forPass() {
        return this;
    }

    /** Every model the source has series of, or may have. */
    List<ModelData> models();

    /** As {@link #select(String, List, long, long)}, only of the models in {@code models}. */
    List<RangeSeries> select(String metricName, List<LabelMatcher> matchers, long fromMsExclusive, long toMsInclusive,
                             Set<String> models);

    @Override
    default List<RangeSeries> select(String metricName, List<LabelMatcher> matchers, long fromMsExclusive,
                                     long toMsInclusive) {
        return select(metricName, matchers, fromMsExclusive, toMsInclusive, null);
    }
}
