package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.health.WorkerThreads;
import dev.modelwatch.server.health.Workers;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A profile update that fails on the helper thread fails the list of events on the aggregation
 * thread, as it would have there (never a hang); a helper that dies of an Error is a dead worker.
 */
class ProfileUpdatesFailureTest {
    private static final ProfileKey ALL = new ProfileKey("m", "v1", ProfileKey.ALL, 60_000, 0);
    private static final ProfileKey EU = new ProfileKey("m", "v1", ProfileKey.segment("region", "eu"), 60_000, 0);

    /** Features that cannot be read: the profile update of an event with them throws {@code failure}. */
    private static final class Unreadable extends AbstractMap<String, Object> {
        private final RuntimeException runtime;
        private final Error error;

        Unreadable(RuntimeException runtime, Error error) {
            this.runtime = runtime;
            this.error = error;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            if (error != null) {
                throw error;
            }
            throw runtime;
        }
    }

    private static PredictionEvent event(Map<String, Object> features) {
        return new PredictionEvent("m", null, "v1", 1_000, features, 1.0, null, null, 2.0, null, Map.of("region", "eu"));
    }

    /**
     * Records an event's update of two profiles: the first profile touched goes to the aggregation
     * thread's partition, the second to the helper's; the helper's gets {@code second}.
     */
    private static void record(ProfileUpdates u, WindowProfile all, WindowProfile eu, PredictionEvent second) {
        u.addPrediction(ALL, all, event(Map.of("x", 1.0)), null);
        u.addPrediction(EU, eu, second, null);
    }

    @Test
    @Timeout(60)
    void aFailedUpdateOnTheHelperFailsTheDrainAndTheHelperGoesOn() throws Exception {
        ProfileUpdates u = new ProfileUpdates(new RuntimeState(), 2, 1_000);
        u.start(WorkerThreads.PLAIN, "modelwatch-profile-helper");
        WindowProfile all = new WindowProfile(SketchSettings.DEFAULT);
        WindowProfile eu = new WindowProfile(SketchSettings.DEFAULT.forSegments());
        record(u, all, eu, event(new Unreadable(new IllegalArgumentException("unreadable features"), null)));

        assertThatThrownBy(u::drain).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("modelwatch-profile-helper").hasRootCauseMessage("unreadable features");
        assertThat(all.count()).as("the aggregation thread's partition was applied").isEqualTo(1);

        // the helper lives on: the next chunk is applied
        WindowProfile all2 = new WindowProfile(SketchSettings.DEFAULT);
        WindowProfile eu2 = new WindowProfile(SketchSettings.DEFAULT.forSegments());
        record(u, all2, eu2, event(Map.of("x", 2.0)));
        u.drain();
        assertThat(all2.count()).isEqualTo(1);
        assertThat(eu2.count()).isEqualTo(1);
        u.stop();
    }

    @Test
    @Timeout(60)
    void aHelperThatDiesIsADeadWorkerAndTheDrainFailsInsteadOfWaiting() throws Exception {
        List<String> exits = new CopyOnWriteArrayList<>();
        Workers workers = new Workers((code, reason) -> exits.add(code + " " + reason));
        ProfileUpdates u = new ProfileUpdates(new RuntimeState(), 2, 1_000);
        u.start(workers, "modelwatch-profile-helper");
        WindowProfile all = new WindowProfile(SketchSettings.DEFAULT);
        WindowProfile eu = new WindowProfile(SketchSettings.DEFAULT.forSegments());
        record(u, all, eu, event(new Unreadable(null, new StackOverflowError("deep"))));

        assertThatThrownBy(u::drain).isInstanceOf(StackOverflowError.class).hasMessage("deep");
        // the worker's death is reported (the server then exits and restarts) once its thread has ended
        while (workers.dead().isEmpty()) {
            Thread.onSpinWait();
        }
        assertThat(workers.dead()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("modelwatch-profile-helper");
            assertThat(s.cause()).contains("deep");
        });
        assertThat(exits).singleElement().asString().startsWith("70 ");

        // the next chunk finds the helper dead and says so at once
        record(u, new WindowProfile(SketchSettings.DEFAULT), new WindowProfile(SketchSettings.DEFAULT.forSegments()),
                event(Map.of("x", 2.0)));
        assertThatThrownBy(u::drain).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("modelwatch-profile-helper").hasMessageContaining("died");
    }
}
