package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a commit's result keeps. The result outlives the commit: the task that reports it to the
 * aggregation thread can wait in its queue behind a long apply, after the generation let go of its
 * profiles. A result that kept the commit's parts (every copied profile and its hour and day
 * windows) held one generation's profiles per queued report: during a backfill under load, most of
 * a 256 MiB heap.
 */
class IsolatingCommitTest {
    @TempDir
    Path dir;

    @Test
    void theResultNamesTheCommittedModelsWithoutKeepingTheCommitsParts() throws Exception {
        long minute = 60_000L;
        long ts = System.currentTimeMillis() / minute * minute - 10 * minute;
        try (Store store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT)) {
            ModelParts parts = new ModelParts();
            WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
            p.addPrediction(new PredictionEvent("m", "p1", "v1", ts, Map.of("x", 1.0), "1", 0.9, null, 5.0, null, Map.of()));
            parts.part("m").deltas.put(new ProfileKey("m", "v1", ProfileKey.ALL, minute, ts), p);

            IsolatingCommit.Result r = IsolatingCommit.run(store, parts, 10, 0, Map.of(), ts, Duration.ofMinutes(5),
                    ModelParking.NONE, null);

            assertThat(r.globalCommitted()).isTrue();
            assertThat(r.committed()).containsExactly("m");
            // the parts change after the commit (as they are let go of): the result does not follow them
            parts.part("other");
            assertThat(r.committed()).as("a copy, not a view of the parts").containsExactly("m");
        }
    }
}
