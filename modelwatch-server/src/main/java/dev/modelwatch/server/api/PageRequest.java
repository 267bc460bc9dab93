package dev.modelwatch.server.api;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The {@code limit} and {@code cursor} query parameters of a listing: at most {@code limit} items
 * (no limit when absent, so that a client that does not page sees everything), starting after the
 * position a previous page's {@code next_cursor} names. A cursor is opaque to clients: the URL-safe
 * Base64 of the position's parts.
 *
 * @param limit the page size ({@link Integer#MAX_VALUE} when not given)
 * @param after the parts of the position to start after, or null for the first page
 */
record PageRequest(int limit, List<String> after) {
    static final int MAX_LIMIT = 10_000;
    private static final char SEPARATOR = '\n';

    /** Reads {@code limit} and {@code cursor}; a cursor must have {@code parts} parts. */
    static PageRequest of(Context ctx, int parts) {
        String l = ctx.queryParam("limit");
        int limit = Integer.MAX_VALUE;
        if (l != null) {
            try {
                limit = Integer.parseInt(l.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new ApiException(400, "limit: must be an integer from 1 to " + MAX_LIMIT + ", got '" + l + "'");
            }
        }
        String c = ctx.queryParam("cursor");
        List<String> after = null;
        if (c != null && !c.isEmpty()) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(c), StandardCharsets.UTF_8);
                after = List.of(text.split(String.valueOf(SEPARATOR), -1));
            } catch (IllegalArgumentException e) {
                after = List.of();
            }
            if (after.size() != parts) {
                throw new ApiException(400, "cursor: not a cursor of this listing (pass next_cursor of the previous page)");
            }
        }
        return new PageRequest(limit, after);
    }

    /** The cursor naming a position of {@code parts}. */
    static String cursor(String... parts) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.join(String.valueOf(SEPARATOR), parts).getBytes(StandardCharsets.UTF_8));
    }
}
