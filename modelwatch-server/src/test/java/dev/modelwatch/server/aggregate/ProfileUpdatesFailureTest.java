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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
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

    private static PredictionEvent event(Map<String, Object> features) {
        return new PredictionEvent("m", null, "v1", 1_000, features, 1.0, null, null, 2.0, null, Map.of("region", "eu"));
    }

    /** Records an event's update of two profiles, the second with {@code second}. */
    private static void record(ProfileUpdates u, WindowProfile all, WindowProfile eu, PredictionEvent second) {
        u.addPrediction(ALL, all, event(Map.of("x", 1.0)), null);
        u.addPrediction(EU, eu, second, null);
    }

    /**
     * Features whose profile update fails on a helper thread ({@code error} or {@code runtime}
     * thrown there) and succeeds on the aggregation thread (the test's), after waiting for the
     * helper's failure: whichever profile each thread claims first, the helper claims one, and it fails.
     */
    private static final class FailsOnHelper extends AbstractMap<String, Object> {
        private final Thread aggregation = Thread.currentThread();
        private final CountDownLatch helperFailed;
        private final RuntimeException runtime;
        private final Error error;

        FailsOnHelper(CountDownLatch helperFailed, RuntimeException runtime, Error error) {
            this.helperFailed = helperFailed;
            this.runtime = runtime;
            this.error = error;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            if (Thread.currentThread() == aggregation) {
                try {
                    assertThat(helperFailed.await(30, TimeUnit.SECONDS)).as("the helper claimed a profile").isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return Map.of("x", (Object) 1.0).entrySet();
            }
            helperFailed.countDown();
            if (error != null) {
                throw error;
            }
            throw runtime;
        }
    }

    @Test
    @Timeout(60)
    void aFailedUpdateOnTheHelperFailsTheDrainAndTheHelperGoesOn() throws Exception {
        ProfileUpdates u = new ProfileUpdates(new RuntimeState(), 2, 1_000);
        u.start(WorkerThreads.PLAIN, "modelwatch-profile-helper");
        WindowProfile all = new WindowProfile(SketchSettings.DEFAULT);
        WindowProfile eu = new WindowProfile(SketchSettings.DEFAULT.forSegments());
        CountDownLatch helperFailed = new CountDownLatch(1);
        FailsOnHelper features = new FailsOnHelper(helperFailed, new IllegalArgumentException("unreadable features"), null);
        u.addPrediction(ALL, all, event(features), null);
        u.addPrediction(EU, eu, event(features), null);

        assertThatThrownBy(u::drain).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("modelwatch-profile-helper").hasRootCauseMessage("unreadable features");

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
        FailsOnHelper features = new FailsOnHelper(new CountDownLatch(1), null, new StackOverflowError("deep"));
        u.addPrediction(ALL, all, event(features), null);
        u.addPrediction(EU, eu, event(features), null);

        assertThatThrownBy(u::drain).isInstanceOf(StackOverflowError.class).hasMessage("deep");
        // the worker's death is reported (the server then exits and restarts) once its thread has ended
        while (workers.dead().isEmpty() || exits.isEmpty()) {
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

    /**
     * Features whose update, on a helper, waits until the aggregation thread has applied every other
     * profile of the chunk: with a fixed share for each thread it would wait forever (the test's
     * timeout); claimed one at a time, the aggregation thread takes all the others itself.
     */
    private static final class HelperWaitsForTheRest extends AbstractMap<String, Object> {
        private final Thread aggregation;
        private final CountDownLatch rest;
        /** A profile's update may read its features more than once: it counts once. */
        private boolean counted;

        HelperWaitsForTheRest(Thread aggregation, CountDownLatch rest) {
            this.aggregation = aggregation;
            this.rest = rest;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            if (Thread.currentThread() == aggregation) {
                if (!counted) {
                    counted = true;
                    rest.countDown();
                }
            } else {
                try {
                    assertThat(rest.await(30, TimeUnit.SECONDS)).as("the aggregation thread applied the rest").isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            return Map.of("x", (Object) 1.0).entrySet();
        }
    }

    @Test
    @Timeout(60)
    void theAggregationThreadAppliesWhatAHelperDoesNotGetTo() throws Exception {
        ProfileUpdates u = new ProfileUpdates(new RuntimeState(), 2, 1_000);
        u.start(WorkerThreads.PLAIN, "modelwatch-profile-helper");
        int n = 12;
        CountDownLatch rest = new CountDownLatch(n - 1);
        List<WindowProfile> profiles = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WindowProfile p = new WindowProfile(SketchSettings.DEFAULT.forSegments());
            profiles.add(p);
            u.addPrediction(new ProfileKey("m", "v1", ProfileKey.segment("region", "r" + i), 60_000, 0), p,
                    event(new HelperWaitsForTheRest(Thread.currentThread(), rest)), null);
        }

        u.drain();

        assertThat(profiles).allSatisfy(p -> assertThat(p.count()).isEqualTo(1));
        u.stop();
    }
}
