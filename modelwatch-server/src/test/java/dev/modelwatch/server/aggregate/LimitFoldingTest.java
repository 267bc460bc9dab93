package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.server.ingest.LimitObserver;
import dev.modelwatch.server.ingest.Limits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LimitFoldingTest {
    private final List<String> folds = new ArrayList<>();
    private final LimitObserver observer = new LimitObserver() {
        @Override
        public void onFolded(String limit, String model) {
            folds.add(limit);
        }

        @Override
        public void onRejected(String limit, String model) {
        }
    };
    /** One value per segment key. */
    private final Limits limits = new Limits(10, 10, 2, 1, 100, 10, 32L << 20, 64L << 20, 64L << 20);
    private final SharedValues strings = new SharedValues();
    private final LimitFolding folding = new LimitFolding(limits, observer, strings, Map.of());
    private final ModelState model = new ModelState(ModelSpec.infer("m", false, true, 1.0), Long.MAX_VALUE,
            Long.MIN_VALUE, 0, new TreeSet<>());
    private final Generation active = new Generation();

    private LimitFolding.Counted count(String region) {
        // a fresh map and version per event, as decoded
        Map<String, String> segments = new HashMap<>();
        segments.put("region", new String(region));
        PredictionEvent e = new PredictionEvent("m", null, new String("v1"), 0, Map.of(), 1.0, 0.9, null, 0, null,
                segments);
        return folding.withinLimits(e, model, folding.admissionsOf("m"), active);
    }

    @Test
    void aSegmentMapAdmittedWholeBeforeCountsAsItselfUnderItsSharedInstance() {
        LimitFolding.Counted first = count("eu");
        LimitFolding.Counted second = count("eu");

        assertThat(second.segments()).isSameAs(first.segments()).isEqualTo(Map.of("region", "eu"));
        assertThat(second.version()).isSameAs(first.version()).isEqualTo("v1");
        assertThat(second.event().segments()).isEqualTo(Map.of("region", "eu"));
        assertThat(folding.admittedSegments("m")).isEqualTo(Map.of("region", java.util.Set.of("eu")));
        assertThat(folds).isEmpty();
    }

    @Test
    void aSegmentValuePastTheLimitIsFoldedEachTimeItComes() {
        count("eu");
        LimitFolding.Counted us = count("us");
        LimitFolding.Counted again = count("us");
        LimitFolding.Counted eu = count("eu");

        assertThat(us.segments()).isEqualTo(Map.of("region", Limits.OTHER));
        assertThat(again.segments()).isSameAs(us.segments());
        assertThat(again.event().segments()).isEqualTo(Map.of("region", Limits.OTHER));
        assertThat(eu.segments()).isEqualTo(Map.of("region", "eu"));
        assertThat(folds).containsExactly("segment_values", "segment_values");
    }
}
