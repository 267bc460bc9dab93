package dev.modelwatch.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.fixture.Fixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The binary event form of the durable ingest log gives back exactly the events it was given:
 * record equality, in which boxed doubles compare by bits (NaN equals NaN, -0.0 differs from 0.0).
 */
class EventCodecTest {
    private static final long T = Fixture.BASE_MS;

    private static List<Event> roundTrip(List<? extends Event> events) {
        return EventCodec.decode(EventCodec.encode(events));
    }

    private static Map<String, Object> features(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void everyEventTypeRoundTrips() {
        List<Event> events = List.of(
                new PredictionEvent("fraud", "p-1", "v3", T, features("amount", 12.5, "country", "DE"), 1.0, 0.83,
                        null, 14.2, null, Map.of("region", "eu")),
                new PredictionEvent("intent", "p-2", "v1", T + 1, features("text_len", 42.0), "refund", null,
                        Map.of("refund", 0.7, "billing", 0.2, "other", 0.1), 3.5, null, Map.of()),
                new LabelEvent("fraud", "p-1", T + 60_000, 1.0),
                new LabelEvent("intent", "p-2", T + 60_000, "billing"),
                new TrainingEvent("fraud", "r-42", 100, 3L, T + 2, Map.of("loss", 0.31, "val_loss", 0.35)),
                new MetricEvent("gpu_utilization", 87.5, "fraud", Map.of("host", "gpu-1"), T + 3));

        assertThat(roundTrip(events)).containsExactlyElementsOf(events);
    }

    @Test
    void nonFiniteAndSignedZeroNumbersRoundTripAsThemselves() {
        List<Event> events = List.of(
                new PredictionEvent("m", "p-1", "v1", T,
                        features("nan", Double.NaN, "inf", Double.POSITIVE_INFINITY, "-inf", Double.NEGATIVE_INFINITY,
                                "-0", -0.0, "tiny", Double.MIN_VALUE, "huge", Double.MAX_VALUE),
                        Double.NaN, Double.NaN, mapOf("a", Double.NaN, "b", Double.POSITIVE_INFINITY), Double.NaN,
                        null, Map.of()),
                new LabelEvent("m", "p-1", T, Double.NEGATIVE_INFINITY),
                new TrainingEvent("m", "r", 7, null, T, mapOf("loss", Double.NaN, "grad_norm", Double.POSITIVE_INFINITY)),
                new MetricEvent("x", Double.NaN, null, Map.of(), T),
                new MetricEvent("y", -0.0, null, Map.of(), T));

        List<Event> back = roundTrip(events);

        assertThat(back).containsExactlyElementsOf(events);
        PredictionEvent p = (PredictionEvent) back.get(0);
        assertThat(Double.doubleToRawLongBits((Double) p.features().get("-0"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(p.latencyMs()).isNaN();
    }

    @Test
    void nullsAndEmptyMapsRoundTrip() {
        List<Event> events = List.of(
                // no id, no output, no score: a failed inference
                new PredictionEvent("m", null, PredictionEvent.DEFAULT_VERSION, T,
                        features("amount", null, "country", null), null, null, null, Double.NaN, "timeout", Map.of()),
                // empty class-probability map is kept apart from an absent one
                new PredictionEvent("m", "p-2", "v1", T, Map.of(), "a", null, Map.of(), 1.0, null, Map.of()),
                new PredictionEvent("m", "p-3", "v1", T, null, null, null, null, 1.0, null, null),
                new TrainingEvent("m", "r", 0, null, T, Map.of()),
                new MetricEvent("up", 1.0, null, null, T));

        List<Event> back = roundTrip(events);

        assertThat(back).containsExactlyElementsOf(events);
        assertThat(((PredictionEvent) back.get(0)).features()).containsEntry("amount", null).hasSize(2);
        assertThat(((PredictionEvent) back.get(0)).scores()).isNull();
        assertThat(((PredictionEvent) back.get(1)).scores()).isNotNull().isEmpty();
        assertThat(((TrainingEvent) back.get(3)).epoch()).isNull();
        assertThat(((MetricEvent) back.get(4)).model()).isNull();
    }

    @Test
    void unicodeTextRoundTrips() {
        String[] texts = {"Zürich", "東京", "Ελλάδα", "עברית", "e\u0301", "🙂👍🏽", "\u0000nul", "tab\tnewline\n", ""};
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            String t = texts[i];
            events.add(new PredictionEvent("m", "id-" + t, "v-" + t, T + i, features("ort-" + t, t, "n", (double) i),
                    t, null, mapOf(t, 1.0), 1.0, "err " + t, Map.of("city", t)));
            events.add(new LabelEvent("m", "id-" + t, T + i, t));
            events.add(new MetricEvent("metric-" + t, i, "m", Map.of("label", t), T + i));
        }

        assertThat(roundTrip(events)).containsExactlyElementsOf(events);
    }

    @Test
    void anEmptyBatchRoundTrips() {
        assertThat(roundTrip(List.of())).isEmpty();
    }

    @Test
    void theFixtureEventsRoundTripAsOneBatch() {
        List<Event> events = new ArrayList<>();
        for (String name : Fixture.NAMES) {
            events.addAll(Fixture.load(name).predictions());
            events.addAll(Fixture.load(name).labels());
        }

        assertThat(roundTrip(events)).containsExactlyElementsOf(events);
    }

    @Test
    void aRecordOfAnUnknownFormatVersionIsRejected() {
        byte[] record = EventCodec.encode(List.of(new LabelEvent("m", "p-1", T, 1.0)));
        record[0] = 99;

        assertThatThrownBy(() -> EventCodec.decode(record)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 99");
    }

    private static <V> Map<String, V> mapOf(Object... keysAndValues) {
        Map<String, V> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            @SuppressWarnings("unchecked")
            V v = (V) keysAndValues[i + 1];
            m.put((String) keysAndValues[i], v);
        }
        return m;
    }
}
