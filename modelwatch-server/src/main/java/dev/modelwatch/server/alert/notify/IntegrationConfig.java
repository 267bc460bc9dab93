package dev.modelwatch.server.alert.notify;

import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.json.Json;

/**
 * The configuration of one integration of a receiver ({@code webhook_configs[0]},
 * {@code email_configs[1]}, ...), as read by its package's {@code parse}. Implementations are immutable
 * records whose secrets are {@link Secret}s or secret {@link EndpointUrl}s, so that printing a
 * configuration never shows one.
 */
public interface IntegrationConfig {
    /** The integration's name as in the file without {@code _configs}: {@code webhook}, {@code email}, ... */
    String integration();

    /** Whether resolved alerts are sent (Alertmanager's {@code send_resolved}). */
    boolean sendResolved();

    /** The settings as written in the file, secrets shown as {@value Secret#MASK}. */
    View view();

    /** An integration's settings as written (snake_case through the one JSON mapper), secrets masked. */
    interface View {
    }

    /**
     * How a configuration prints: the integration's name, then the settings as the file names them,
     * e.g. {@code webhook{url=http://..., send_resolved=true, ...}}, secrets masked.
     */
    static String describe(String integration, Object view) {
        return integration + Json.MAPPER.convertValue(view, java.util.Map.class);
    }

    /** Default time-out of an HTTP integration. */
    long DEFAULT_HTTP_TIMEOUT_MS = 10_000;

    /** {@code send_resolved} of {@code cfg}, {@code dflt} when not written. */
    static boolean readSendResolved(ConfigNode cfg, boolean dflt) {
        Boolean b = cfg.get("send_resolved").asBoolean();
        return b == null ? dflt : b;
    }

    /** {@code timeout} of {@code cfg} in milliseconds (a duration &gt; 0), {@code dflt} when not written. */
    static long readTimeoutMs(ConfigNode cfg, long dflt) {
        ConfigNode t = cfg.get("timeout");
        Long ms = t.asDurationMs();
        if (ms == null) {
            return dflt;
        }
        if (ms <= 0) {
            t.problem("must be positive");
            return dflt;
        }
        return ms;
    }

    /** The integer at {@code node} in [{@code min}, {@code max}], {@code dflt} when not written or wrong (a problem). */
    static int readInt(ConfigNode node, int min, int max, int dflt) {
        Object v = node.raw();
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Integer || v instanceof Long || v instanceof Short)) {
            node.problem("must be an integer, was " + ConfigNode.describe(v));
            return dflt;
        }
        long n = ((Number) v).longValue();
        if (n < min || n > max) {
            node.problem("must be between " + min + " and " + max + ", was " + n);
            return dflt;
        }
        return (int) n;
    }
}
