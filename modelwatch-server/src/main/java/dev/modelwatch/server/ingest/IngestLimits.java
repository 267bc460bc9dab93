package dev.modelwatch.server.ingest;

import java.time.Duration;

/**
 * Limits applied to each request and event at ingest.
 *
 * @param maxAge           events older than this (the longest retention) are rejected
 * @param maxFutureSkew    events further in the future than this are rejected
 */
public record IngestLimits(long maxBodyBytes, int maxEventsPerRequest, int maxFeatures, Duration maxAge,
                           Duration maxFutureSkew) {
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_NAME_LENGTH = 128;
    public static final int MAX_FEATURE_NAME_LENGTH = 256;
    public static final int MAX_STRING_VALUE_LENGTH = 4096;
    public static final int MAX_SEGMENTS = 16;
    public static final int MAX_CLASSES = 1000;
    public static final int MAX_NESTING_DEPTH = 200;
}
