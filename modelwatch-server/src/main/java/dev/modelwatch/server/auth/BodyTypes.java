package dev.modelwatch.server.auth;

import io.javalin.router.EndpointMetadata;
import java.util.List;

/**
 * The media types a state-changing route accepts as its body. A route without this metadata
 * accepts {@link #JSON}. A request without a {@code Content-Type} is read as the first type (what
 * clients such as curl send); every other type, {@code text/plain} and form encodings among them,
 * is refused with 415.
 */
public record BodyTypes(List<String> types) implements EndpointMetadata {
    public static final BodyTypes JSON = new BodyTypes(List.of("application/json"));
    public static final BodyTypes EVENTS = new BodyTypes(List.of("application/json", "application/x-ndjson",
            "application/ndjson", "application/jsonl", "application/jsonlines"));
    public static final BodyTypes REFERENCE = new BodyTypes(List.of("application/json", "text/csv", "application/csv"));

    public BodyTypes {
        types = List.copyOf(types);
    }

    /** Whether {@code contentType} (parameters such as {@code charset} ignored) is one of these. */
    public boolean accepts(String contentType) {
        String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return types.contains(base);
    }
}
