package dev.modelwatch.bench.micro;

import dev.modelwatch.bench.PredictionWorkload;
import dev.modelwatch.bench.ServerDecoders;
import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.ingest.DecodedBatch;
import dev.modelwatch.server.ingest.EventDecoder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs the micro-benchmarks share, all fixed: the ingest benchmark's seeded prediction events
 * (20 numerical features, about 600 bytes each, in NDJSON bodies), decoded once by the server's
 * decoder on a clock fixed at {@link #NOW_MS}, and window profiles built from them.
 */
final class MicroInputs {
    /** The time every input is made at (the events lie in the three minutes before it). */
    static final long NOW_MS = 1_780_000_000_000L;
    /** A binary classifier's positive class, as the aggregator passes it for the generated model. */
    static final String POSITIVE_CLASS = "1";

    private MicroInputs() {
    }

    /** The server's ingest decoder on a clock fixed at {@link #NOW_MS}. */
    static EventDecoder decoder() {
        return ServerDecoders.server(Clock.fixed(Instant.ofEpochMilli(NOW_MS), ZoneOffset.UTC));
    }

    /** {@code events} events in bodies of {@code batch}, drawn with {@code seed}. */
    static PredictionWorkload workload(long seed, int events, int batch) {
        return PredictionWorkload.generate(seed, events, batch, NOW_MS);
    }

    /** Every event of {@code workload}, decoded; fails if the decoder rejects one. */
    static List<PredictionEvent> predictions(PredictionWorkload workload) {
        EventDecoder decoder = decoder();
        List<PredictionEvent> out = new ArrayList<>(workload.eventCount());
        for (byte[] body : workload.bodies()) {
            DecodedBatch batch = decoder.decodeNdjson(body);
            if (!batch.errors().isEmpty()) {
                throw new IllegalStateException("the decoder rejected a generated event: " + batch.errors().get(0));
            }
            for (Event e : batch.events()) {
                out.add((PredictionEvent) e);
            }
        }
        return out;
    }

    /**
     * The profile of a window that saw {@code count} predictions: {@code events} over and over (a
     * profile's size grows with the distinct values it has seen only up to its sketches' bounds).
     */
    static WindowProfile profile(List<PredictionEvent> events, long count, SketchSettings settings) {
        WindowProfile p = new WindowProfile(settings);
        for (long i = 0; i < count; i++) {
            p.addPrediction(events.get((int) (i % events.size())), POSITIVE_CLASS);
        }
        return p;
    }
}
