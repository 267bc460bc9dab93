package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.store.PendingStore;
import dev.modelwatch.store.RocksPendingStore;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profile updates made on a helper thread as well as the aggregation thread, in chunks (see
 * {@link ProfileUpdates}), give the very profiles the aggregation thread alone gives: the same
 * events, with labels before and after their predictions, several models, versions and segments,
 * across window boundaries, in lists of several sizes, submitted or replayed before the start.
 */
class ParallelProfileUpdatesTest {
    private static final List<String> MODELS = List.of("fraud", "price", "topic");
    private static final List<String> REGIONS = List.of("eu", "us", "apac");
    private static final List<String> TIERS = List.of("free", "paid");

    @TempDir
    Path dir;

    /**
     * Predictions and labels of three models (binary with a score, regression, multiclass) over 40
     * one-minute windows, few enough per profile that no quantile sketch compacts (a compaction
     * draws random bits, and the profiles would differ by those alone).
     */
    private static List<Event> events(long start) {
        SplittableRandom r = new SplittableRandom(7);
        List<Event> out = new ArrayList<>();
        List<LabelEvent> later = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            String model = MODELS.get(r.nextInt(MODELS.size()));
            String id = model + "-" + i;
            long ts = start + r.nextLong(40 * 60_000L);
            String version = r.nextInt(4) == 0 ? "v2" : "v1";
            Map<String, Object> features = new LinkedHashMap<>();
            features.put("amount", Math.floor(r.nextDouble() * 500));
            features.put("country", REGIONS.get(r.nextInt(REGIONS.size())));
            if (r.nextBoolean()) {
                features.put("age", (double) r.nextInt(90));
            }
            Map<String, String> segments = new HashMap<>();
            segments.put("region", REGIONS.get(r.nextInt(REGIONS.size())));
            if (!model.equals("price")) {
                segments.put("tier", TIERS.get(r.nextInt(TIERS.size())));
            }
            Object label;
            PredictionEvent p;
            switch (model) {
                case "fraud" -> {
                    double score = r.nextDouble();
                    p = new PredictionEvent(model, id, version, ts, features, null, score, null,
                            1 + r.nextInt(20), null, segments);
                    label = r.nextBoolean() ? "1" : "0";
                }
                case "price" -> {
                    p = new PredictionEvent(model, id, version, ts, features, Math.floor(r.nextDouble() * 100), null,
                            null, Double.NaN, r.nextInt(50) == 0 ? "timeout" : null, segments);
                    label = Math.floor(r.nextDouble() * 100);
                }
                default -> {
                    String cls = List.of("sport", "news", "tech").get(r.nextInt(3));
                    p = new PredictionEvent(model, id, version, ts, features, cls, null, null, 3.0, null, segments);
                    label = List.of("sport", "news", "tech").get(r.nextInt(3));
                }
            }
            int labelled = r.nextInt(3);
            if (labelled == 0) {
                out.add(new LabelEvent(model, id, ts, label)); // before its prediction
            }
            out.add(p);
            if (labelled == 1) {
                later.add(new LabelEvent(model, id, ts, label));
            }
            if (!later.isEmpty() && r.nextInt(4) == 0) {
                out.add(later.remove(r.nextInt(later.size())));
            }
            if (r.nextInt(100) == 0) {
                out.add(p); // a repeat: counted once
            }
        }
        out.addAll(later);
        return out;
    }

    /** Every uncommitted profile of the runtime, serialized, by key. */
    private static Map<String, byte[]> profiles(Aggregator a) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        for (String m : MODELS) {
            List<String> segments = new ArrayList<>(List.of(ProfileKey.ALL));
            REGIONS.forEach(v -> segments.add(ProfileKey.segment("region", v)));
            TIERS.forEach(v -> segments.add(ProfileKey.segment("tier", v)));
            for (String s : segments) {
                for (Aggregator.Delta d : a.ask(x -> x.snapshot(m, null, s, 0, Long.MAX_VALUE)).get(60, TimeUnit.SECONDS)) {
                    out.put(d.key().toString(), d.profile().toBytes());
                }
            }
        }
        return out;
    }

    /** The profiles after {@code events} in lists of several sizes, submitted or, with {@code replay}, replayed before the start. */
    private Map<String, byte[]> run(String name, int threads, int chunk, boolean replay, List<Event> events)
            throws Exception {
        Store store = Stores.open("jdbc:sqlite:" + dir.resolve(name + ".sqlite"), SketchSettings.DEFAULT);
        PendingStore pending = RocksPendingStore.open(dir.resolve(name + "-pending"), 7 * 86_400);
        Aggregator a = Aggregator.builder(store, pending).clock(Clock.systemUTC())
                .flushInterval(Duration.ofHours(1)).joinHorizon(Duration.ofDays(7))
                .retention(Map.of(0L, Duration.ofDays(8))).profileThreads(threads).profileChunkUpdates(chunk).build();
        if (!replay) {
            a.start();
        }
        // lists of several sizes: a chunk ends inside a list, at its end, and lists shorter than a chunk
        int lsn = 0;
        int[] sizes = {1, 7, 300, 13, 1_000, 2, 64};
        for (int from = 0, k = 0; from < events.size(); k++) {
            int to = Math.min(events.size(), from + sizes[k % sizes.length]);
            if (replay) {
                a.replay(events.subList(from, to), ++lsn);
            } else {
                a.submit(events.subList(from, to), ++lsn);
            }
            from = to;
        }
        if (replay) {
            a.start();
        }
        Map<String, byte[]> out = profiles(a);
        a.close();
        pending.close();
        store.close();
        return out;
    }

    @Test
    void aHelperThreadGivesTheProfilesOfTheAggregationThreadAlone() throws Exception {
        long start = (System.currentTimeMillis() / 60_000 - 120) * 60_000;
        List<Event> events = events(start);

        Map<String, byte[]> serial = run("serial", 1, 1, false, events);
        Map<String, byte[]> parallel = run("parallel", 2, 37, false, events);
        Map<String, byte[]> threeThreads = run("three", 3, 4_096, false, events);
        Map<String, byte[]> replayed = run("replayed", 2, 37, true, events);

        assertThat(serial).hasSizeGreaterThan(300); // 40 windows, versions and segments of three models
        assertThat(parallel.keySet()).isEqualTo(serial.keySet());
        assertThat(threeThreads.keySet()).isEqualTo(serial.keySet());
        assertThat(replayed.keySet()).isEqualTo(serial.keySet());
        serial.forEach((key, bytes) -> {
            assertThat(Arrays.equals(parallel.get(key), bytes)).as("two threads, " + key).isTrue();
            assertThat(Arrays.equals(threeThreads.get(key), bytes)).as("three threads, " + key).isTrue();
            assertThat(Arrays.equals(replayed.get(key), bytes)).as("replayed before the start, " + key).isTrue();
        });
    }
}
