package dev.modelwatch.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.json.Json;
import io.javalin.http.Context;

/** Writes answers: records (and the maps core computes) as JSON, with record components in snake_case. */
final class Answers {
    /** The mapper of every answer: a record component {@code nextCursor} is the field {@code next_cursor}. */
    static final ObjectMapper JSON = Json.MAPPER;

    /** The body of every error answer. */
    record ErrorAnswer(String error) {
    }

    private Answers() {
    }

    static void send(Context ctx, int status, Object body) {
        try {
            ctx.status(status);
            ctx.contentType("application/json");
            ctx.result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void error(Context ctx, int status, String message) {
        send(ctx, status, new ErrorAnswer(message));
    }
}
