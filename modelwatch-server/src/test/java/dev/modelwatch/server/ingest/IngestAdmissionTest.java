package dev.modelwatch.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.PredictionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestAdmissionTest {
    /** Three features a model at most. */
    private final IngestAdmission admission = new IngestAdmission(
            new Limits(10, 50, 5, 100, 3, 100, 32L << 20, 64L << 20, 64L << 20), LimitObserver.NONE);

    @Test
    void aNewNameAmongRepeatedInstancesIsStillCountedAgainstTheLimit() {
        // the decoder's names: one instance each, repeated event after event
        String a = "amount";
        String b = "age";
        String c = "country";
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(prediction("fraud", a, b, c));
        }
        events.add(prediction("fraud", a, b, new String("tier")));
        events.add(prediction("fraud", a, b, c));
        events.add(prediction("fraud", a, "merchant", c));

        DecodedBatch admitted = admission.admit(new DecodedBatch(events, List.of(), events.size()));

        assertThat(admitted.events()).hasSize(6);
        assertThat(admitted.errors()).extracting(DecodedBatch.EventError::index).containsExactly(5, 7);
        assertThat(admitted.errors().get(0).error()).startsWith("features.tier: model 'fraud' has 3 features");
        assertThat(admitted.errors().get(1).error()).startsWith("features.merchant: model 'fraud' has 3 features");
    }

    @Test
    void theSameNameInstancesAreCheckedAgainstEachModelsOwnNames() {
        String a = "amount";
        String b = "age";
        String c = "country";
        String d = "device";
        List<Event> events = List.of(prediction("fraud", a, b, c), prediction("churn", a, b, c),
                prediction("churn", a, b, c, d), prediction("fraud", a, b, c), prediction("churn", b, c, d));

        DecodedBatch admitted = admission.admit(new DecodedBatch(events, List.of(), events.size()));

        // churn's names are its own: the fourth name is past its limit, even though fraud's event before
        // it held the same instances
        assertThat(admitted.errors()).extracting(DecodedBatch.EventError::index).containsExactly(2, 4);
        assertThat(admitted.errors().get(0).error()).startsWith("features.device: model 'churn'");
    }

    @Test
    void equalNamesThatAreNotTheSameInstancesPass() {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(prediction("fraud", new String("amount"), new String("age"), new String("country")));
        }
        events.add(prediction("fraud", new String("age"), new String("amount")));

        DecodedBatch admitted = admission.admit(new DecodedBatch(events, List.of(), events.size()));

        assertThat(admitted.errors()).isEmpty();
        assertThat(admitted.events()).hasSize(4);
    }

    private static PredictionEvent prediction(String model, String... names) {
        FeatureVector.Builder features = FeatureVector.builder(names.length);
        for (String n : names) {
            features.number(n, 1.0);
        }
        return new PredictionEvent(model, null, "v1", 1_000L, features.build(), 1.0, null, null, 0.0, null,
                Map.of());
    }
}
