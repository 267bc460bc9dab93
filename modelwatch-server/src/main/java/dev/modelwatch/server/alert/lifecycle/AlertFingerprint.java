package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.SeriesLabels;
import java.nio.charset.StandardCharsets;

/**
 * The stable 64-bit identity of an alert: the FNV-1a 64-bit hash of its labels, computed exactly as
 * Prometheus's {@code model.LabelSet.Fingerprint()} (and so Alertmanager's alert fingerprint):
 *
 * <pre>
 *   h = 14695981039346656037                       (FNV-1a 64 offset basis)
 *   for each label in name order:                  (byte order; label names are ASCII)
 *       h = fnv1a(h, UTF-8 bytes of name);  h = fnv1a(h, 0xFF)
 *       h = fnv1a(h, UTF-8 bytes of value); h = fnv1a(h, 0xFF)
 *   fnv1a(h, byte b) = (h XOR b) * 1099511628211   (mod 2^64)
 * </pre>
 *
 * An alert's labels hold {@code alertname} (the rule name) and the rule's labels besides the result
 * series' labels, so the fingerprint identifies "rule name + result labels". It is stable across
 * restarts, JVMs and versions (it is part of the stored state and of the API's alert {@code id}):
 * never change it. The empty label set hashes to the offset basis. Distinct label sets collide with
 * probability about n²/2⁶⁵ for n alerts.
 *
 * <p>Usage: {@code String id = AlertFingerprint.format(AlertFingerprint.of(labels));}
 */
public final class AlertFingerprint {
    static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    static final long PRIME = 0x100000001b3L;
    private static final int SEPARATOR = 0xFF;

    private AlertFingerprint() {
    }

    /** The fingerprint of {@code labels}. */
    public static long of(SeriesLabels labels) {
        long h = OFFSET_BASIS;
        for (int i = 0; i < labels.size(); i++) {
            h = add(h, labels.name(i));
            h = (h ^ SEPARATOR) * PRIME;
            h = add(h, labels.value(i));
            h = (h ^ SEPARATOR) * PRIME;
        }
        return h;
    }

    private static long add(long h, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * PRIME;
        }
        return h;
    }

    /** The fingerprint as 16 lower-case hex digits: the alert id of the API. */
    public static String format(long fingerprint) {
        String hex = Long.toHexString(fingerprint);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /**
     * The fingerprint written by {@link #format(long)}.
     *
     * @throws IllegalArgumentException when {@code id} is not 1 to 16 hex digits
     */
    public static long parse(String id) {
        if (id == null || id.isEmpty() || id.length() > 16) {
            throw new IllegalArgumentException("alert id must be 16 hex digits, was '" + id + "'");
        }
        try {
            return Long.parseUnsignedLong(id, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("alert id must be 16 hex digits, was '" + id + "'", e);
        }
    }
}
