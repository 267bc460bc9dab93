package dev.modelwatch.server.auth;

import io.javalin.security.RouteRole;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a route needs: nothing ({@link #PUBLIC}: {@code /healthz}, {@code /readyz}) or a token with
 * one scope. Every route of the API server names exactly one; a route without one is refused
 * (fail closed). A scope grants only its own routes: a token that needs two holds both.
 */
public enum Access implements RouteRole {
    /** Open to anyone who reaches the port. */
    PUBLIC,
    /** {@code POST /api/v1/events}. */
    INGEST,
    /** Every {@code GET}, {@code /metrics} included. */
    READ,
    /** Everything else: declarations, references, silences, acknowledgements, tokens. */
    ADMIN;

    /** The scope's name as tokens, answers and the command line spell it. */
    public String scopeName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scope named {@code name} ({@code ingest}, {@code read} or {@code admin}). */
    public static Access scope(String name) {
        for (Access a : values()) {
            if (a != PUBLIC && a.scopeName().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + name + "'; scopes: " + scopeNames());
    }

    /** {@code ingest, read, admin}. */
    public static String scopeNames() {
        return Arrays.stream(values()).filter(a -> a != PUBLIC).map(Access::scopeName).collect(Collectors.joining(", "));
    }
}
