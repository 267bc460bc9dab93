package dev.modelwatch.server.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.TrainingEvent;
import dev.modelwatch.core.training.RunState;
import dev.modelwatch.core.training.TrainingRun;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.store.StoredRun;
import dev.modelwatch.store.TrainingRunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A run stored before buckets kept their time is read back, and its new buckets have their time. */
class StoredRunFormatTest {
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    /** The storage of the runs, in memory. */
    private static final class Memory implements TrainingRunStore {
        final List<StoredRun> runs = new ArrayList<>();

        @Override
        public void save(List<StoredRun> saved) {
            for (StoredRun s : saved) {
                runs.removeIf(r -> r.model().equals(s.model()) && r.run().equals(s.run()));
                runs.add(s);
            }
        }

        @Override
        public List<StoredRun> all() {
            return List.copyOf(runs);
        }
    }

    @Test
    void bucketsStoredWithoutTheirTimeAnswerNullAndNewOnesTheirTime() throws Exception {
        TrainingRun before = new TrainingRun("mlp", "r1");
        before.apply(new TrainingEvent("mlp", "r1", 0, null, T0, Map.of("loss", 1.0)));
        before.apply(new TrainingEvent("mlp", "r1", 1, null, T0 + 1_000, Map.of("loss", Double.NaN)));
        // the document as the previous version wrote it: no time in the buckets
        JsonNode doc = Json.MAPPER.readTree(Json.bytes(before.state()));
        assertThat(doc.path("series").path("loss").path("buckets").get(0).has("to_ms")).isTrue();
        doc.path("series").path("loss").path("buckets").forEach(b -> ((ObjectNode) b).remove("to_ms"));
        Memory store = new Memory();
        store.save(List.of(new StoredRun("mlp", "r1", Json.MAPPER.writeValueAsBytes(doc), 5, T0)));

        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0 + 2_000), ZoneOffset.UTC);
        TrainingRuns runs = TrainingRuns.load(store, clock, Duration.ofMinutes(10));
        List<Event> next = List.of(new TrainingEvent("mlp", "r1", 2, null, T0 + 2_000, Map.of("loss", 0.5)));
        runs.accept(next, 5, 6);
        RunState state = runs.get("mlp", "r1").orElseThrow();
        RunView view = RunView.of(state, null);
        List<RunView.BucketView> buckets = view.series().get("loss").buckets();
        assertThat(buckets).extracting(RunView.BucketView::at).containsExactly(null, null, "2026-01-01T00:00:02Z");
        assertThat(buckets.get(1).nan()).isEqualTo(1);
        assertThat(state.problems()).extracting(p -> p.kind()).containsExactly("nan_loss");

        // written again and read back: the times it has are kept
        assertThat(runs.persist()).isTrue();
        RunState again = TrainingRuns.load(store, clock, Duration.ofMinutes(10)).get("mlp", "r1").orElseThrow();
        assertThat(RunView.of(again, null).series().get("loss").buckets()).extracting(RunView.BucketView::at)
                .containsExactly(null, null, "2026-01-01T00:00:02Z");
    }
}
