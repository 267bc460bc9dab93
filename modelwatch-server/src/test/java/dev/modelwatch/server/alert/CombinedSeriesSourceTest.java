package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesLabels;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Two per-model sources as one: models merged, change sequences summed, series of both. */
class CombinedSeriesSourceTest {
    /** A source of one metric whose models are given. */
    private static PerModelSeriesSource source(String metric, List<PerModelSeriesSource.ModelData> models) {
        return new PerModelSeriesSource() {
            @Override
            public List<ModelData> models() {
                return models;
            }

            @Override
            public List<RangeSeries> select(String name, List<LabelMatcher> matchers, long from, long to, Set<String> only) {
                if (!name.equals(metric)) {
                    return List.of();
                }
                return models.stream().filter(m -> only == null || only.contains(m.model()))
                        .map(m -> new RangeSeries(SeriesLabels.metric(metric, Map.of("model", m.model())),
                                new long[] {to}, new double[] {1})).toList();
            }
        };
    }

    @Test
    void modelsAreMergedAndEachSourceServesItsOwnMetric() {
        PerModelSeriesSource predictions = source("accuracy", List.of(
                new PerModelSeriesSource.ModelData("fraud", 7, 60_000, 60_000),
                new PerModelSeriesSource.ModelData("digits", 3, 120_000, 60_000)));
        PerModelSeriesSource training = source("training_problem", List.of(
                new PerModelSeriesSource.ModelData("digits", 2, 130_500, 0),
                new PerModelSeriesSource.ModelData("llm", 1, 5_000, 0)));
        CombinedSeriesSource both = new CombinedSeriesSource(List.of(predictions, training));
        assertThat(both.models()).containsExactly(
                new PerModelSeriesSource.ModelData("fraud", 7, 60_000, 60_000),
                new PerModelSeriesSource.ModelData("digits", 5, 130_500, 0),
                new PerModelSeriesSource.ModelData("llm", 1, 5_000, 0));
        assertThat(both.select("training_problem", List.of(), 0, 200_000, Set.of("digits")))
                .extracting(s -> s.labels().get("model")).containsExactly("digits");
        assertThat(both.select("accuracy", List.of(), 0, 200_000, null))
                .extracting(s -> s.labels().get("model")).containsExactly("fraud", "digits");
    }
}
