package dev.modelwatch.server.config;

import java.time.Duration;

/** The {@code ingest:} section: what one request may carry, and how many events may wait. */
public record IngestSettings(long maxBodyBytes, int maxEventsPerRequest, int maxFeatures, Duration maxFutureSkew,
                             long maxQueuedEvents, Duration maxQueueWait) {
    static final IngestSettings DEFAULT = new IngestSettings(16L << 20, 100_000, 1_000, Duration.ofMinutes(10), 50_000,
            Duration.ofSeconds(5));
}
