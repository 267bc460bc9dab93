package dev.modelwatch.store;

import java.util.Objects;

/**
 * A model's reference (training) data set as stored: never the raw rows, only what the drift and
 * estimation code built from them, as one opaque encoding that the store keeps and returns as is.
 *
 * @param model       the model
 * @param version     the version it applies to, or {@code ""} for every version without its own
 * @param source      where it came from, e.g. {@code upload} (free text, at most 32 characters)
 * @param rows        rows profiled
 * @param createdAtMs when it was stored (a replacement gets a new time)
 * @param data        the encoded reference
 */
public record StoredReference(String model, String version, String source, long rows, long createdAtMs, byte[] data) {
    /** The version of a reference that serves every version without its own. */
    public static final String ANY_VERSION = "";

    public StoredReference {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(data, "data");
        if (source.length() > 32) {
            throw new IllegalArgumentException("source must be at most 32 characters, was " + source.length());
        }
    }
}
