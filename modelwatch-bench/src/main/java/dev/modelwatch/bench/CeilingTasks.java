package dev.modelwatch.bench;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.ingest.DecodedBatch;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.LogRecord;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The work of the ingest benchmark's in-process stages, each a task over the workload's bodies. */
final class CeilingTasks {
    private CeilingTasks() {
    }

    static Map<byte[], List<Event>> decodeAll(EventDecoder decoder, PredictionWorkload workload) {
        Map<byte[], List<Event>> decoded = new IdentityHashMap<>();
        for (byte[] body : workload.bodies()) {
            decoded.put(body, decoder.decodeNdjson(body).events());
        }
        return decoded;
    }

    /** Stage A: the parse-only limit. */
    static final class ParseTask implements ThroughputRun.BodyTask {
        private final ParseOnlyReader reader = new ParseOnlyReader();

        @Override
        public int process(byte[] body) {
            return reader.read(body);
        }

        @Override
        public long checksum() {
            return reader.checksum();
        }
    }

    /** The server's ingest decoder: parse, validate, build the events. */
    static final class DecodeTask implements ThroughputRun.BodyTask {
        private final EventDecoder decoder;
        private long checksum;

        DecodeTask(EventDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public int process(byte[] body) {
            DecodedBatch batch = decoder.decodeNdjson(body);
            if (!batch.errors().isEmpty()) {
                throw new IllegalStateException("the decoder rejected generated events: " + batch.errors().get(0));
            }
            checksum += batch.events().size();
            return batch.events().size();
        }

        @Override
        public long checksum() {
            return checksum;
        }
    }

    /**
     * The ingest log record a request thread builds after decoding: the body as sent, framed
     * ({@link LogRecord}); nothing is re-encoded.
     */
    static final class LogRecordTask implements ThroughputRun.BodyTask {
        private final int eventsPerBody;
        private long checksum;

        LogRecordTask(int eventsPerBody) {
            this.eventsPerBody = eventsPerBody;
        }

        @Override
        public int process(byte[] body) {
            checksum += new LogRecord(System.currentTimeMillis(), LogRecord.Format.NDJSON, false, new int[0], body)
                    .encode().length;
            return eventsPerBody;
        }

        @Override
        public long checksum() {
            return checksum;
        }
    }

    /**
     * The aggregator's profile work for a prediction, bare: the profile of its window for all
     * traffic and for each segment, found in a map by key, then {@link WindowProfile#addPrediction}.
     * No duplicate check, no label bookkeeping, no storage.
     */
    static final class ProfileTask implements ThroughputRun.BodyTask {
        private static final SketchSettings SEGMENT_SKETCHES = SketchSettings.DEFAULT.forSegments();
        private static final String POSITIVE_CLASS = "1";
        private final Map<byte[], List<Event>> decoded;
        private final Map<ProfileKey, WindowProfile> profiles = new HashMap<>();

        ProfileTask(Map<byte[], List<Event>> decoded) {
            this.decoded = decoded;
        }

        @Override
        public int process(byte[] body) {
            List<Event> events = decoded.get(body);
            long window = ModelSpec.DEFAULT_WINDOW_MS;
            // as the aggregator does: the model's profile with the full settings, each segment's with
            // the smaller ones, the binary model's positive class "1"
            for (Event e : events) {
                PredictionEvent p = (PredictionEvent) e;
                long start = Math.floorDiv(p.timestampMs(), window) * window;
                profiles.computeIfAbsent(new ProfileKey(p.model(), p.version(), ProfileKey.ALL, window, start),
                        k -> new WindowProfile(SketchSettings.DEFAULT)).addPrediction(p, POSITIVE_CLASS);
                for (Map.Entry<String, String> s : p.segments().entrySet()) {
                    profiles.computeIfAbsent(new ProfileKey(p.model(), p.version(),
                            ProfileKey.segment(s.getKey(), s.getValue()), window, start),
                            k -> new WindowProfile(SEGMENT_SKETCHES)).addPrediction(p, POSITIVE_CLASS);
                }
            }
            return events.size();
        }

        @Override
        public long checksum() {
            return profiles.size();
        }
    }
}
