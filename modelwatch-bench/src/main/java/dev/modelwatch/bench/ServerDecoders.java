package dev.modelwatch.bench;

import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.IngestLimits;
import java.time.Clock;

/** The server's ingest decoder with its default limits, as the benchmarks decode with it. */
public final class ServerDecoders {
    private ServerDecoders() {
    }

    /** The decoder the server runs, on {@code clock}. */
    public static EventDecoder server(Clock clock) {
        return new EventDecoder(limits(), clock);
    }

    /**
     * The decoding work alone, for the ingest benchmark's ceiling: without the instances the server's
     * decoders keep for its aggregation thread ({@link EventDecoder#withoutKeptValues}).
     */
    public static EventDecoder ceiling(Clock clock) {
        return EventDecoder.withoutKeptValues(limits(), clock);
    }

    private static IngestLimits limits() {
        ServerConfig c = ServerConfig.defaults();
        return new IngestLimits(c.maxBodyBytes(), c.maxEventsPerRequest(), c.maxFeatures(), c.maxEventAge(),
                c.maxFutureSkew());
    }
}
