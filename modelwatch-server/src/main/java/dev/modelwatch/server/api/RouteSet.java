package dev.modelwatch.server.api;

import io.javalin.config.JavalinConfig;

/**
 * Routes that a part of the server adds to the API ({@link ApiServer#add(RouteSet)}), with the same
 * access checks and error answers as the rest: throw {@link ApiException} for an error status.
 */
public interface RouteSet {
    /** Adds the routes (with {@code config.routes}) and any lifecycle hooks to a server being configured. */
    void register(JavalinConfig config);
}
