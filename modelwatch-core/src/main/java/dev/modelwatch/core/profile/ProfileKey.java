package dev.modelwatch.core.profile;

import java.util.Objects;

/**
 * Identifies one stored window profile.
 *
 * @param segment       {@code ""} for all traffic, or one {@code key:value} slice
 * @param resolutionMs  window length: the model's base window, one hour or one day
 */
public record ProfileKey(String model, String version, String segment, long resolutionMs, long windowStartMs) {
    public static final String ALL = "";

    public ProfileKey {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(segment, "segment");
        if (resolutionMs <= 0 || windowStartMs % resolutionMs != 0) {
            throw new IllegalArgumentException("window start " + windowStartMs + " is not aligned to " + resolutionMs);
        }
    }

    public ProfileKey atResolution(long resolution) {
        return new ProfileKey(model, version, segment, resolution, Math.floorDiv(windowStartMs, resolution) * resolution);
    }

    public long windowEndMs() {
        return windowStartMs + resolutionMs;
    }

    public static String segment(String key, String value) {
        return key + ":" + value;
    }
}
