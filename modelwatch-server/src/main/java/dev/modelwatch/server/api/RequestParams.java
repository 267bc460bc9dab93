package dev.modelwatch.server.api;

import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.time.Times;
import io.javalin.http.Context;

/** The path and query parameters routes share, each checked with a 400 naming it. */
final class RequestParams {
    /** Without {@code from}, a range covers the 24 hours before {@code to}. */
    private static final long DEFAULT_RANGE_MS = 24 * 3_600_000L;

    private RequestParams() {
    }

    /** A time range {@code [from, to)} with the version and segment ({@link ProfileKey#ALL}: every one) asked for. */
    record Range(long from, long to, String version, String segment) {
    }

    /** The {@code from}, {@code to}, {@code version} and {@code segment} query parameters; {@code to} defaults to now. */
    static Range range(Context ctx, long nowMs) {
        String toParam = ctx.queryParam("to");
        String fromParam = ctx.queryParam("from");
        long to = toParam == null ? nowMs + 1 : time("to", toParam);
        long from = fromParam == null ? to - DEFAULT_RANGE_MS : time("from", fromParam);
        if (from >= to) {
            throw new ApiException(400, "from must be before to");
        }
        String version = ctx.queryParam("version");
        String segment = ctx.queryParam("segment");
        if (segment == null || segment.isEmpty()) {
            segment = ProfileKey.ALL;
        } else {
            int colon = segment.indexOf(':');
            if (colon <= 0 || colon == segment.length() - 1) {
                throw new ApiException(400, "segment: '" + segment + "' must be key:value, e.g. region:eu");
            }
        }
        return new Range(from, to, version, segment);
    }

    /** A time parameter: RFC 3339 or epoch milliseconds, else 400 naming it. */
    static long time(String name, String value) {
        try {
            return Times.parse(name, value);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    /** The {@code {model}} of the path: 400 naming it when it cannot be a model name. */
    static String modelName(Context ctx) {
        String name = ctx.pathParam("model");
        if (!EventDecoder.isModelName(name)) {
            throw new ApiException(400, "model: '" + (name.length() > 64 ? name.substring(0, 64) + "..." : name) + "' "
                    + EventDecoder.modelNameProblem(name));
        }
        return name;
    }

    /** The {@code {id}} of an alert route: 1 to 16 hex digits, else 400 (not a 500 from deeper down). */
    static String alertId(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches("[0-9a-fA-F]{1,16}")) {
            throw new ApiException(400, "id: '" + id + "' is not an alert id (16 hex digits)");
        }
        return id;
    }
}
