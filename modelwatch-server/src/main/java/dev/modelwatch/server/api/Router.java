package dev.modelwatch.server.api;

import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.auth.BodyTypes;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;
import java.util.Set;

/** Where a route group adds its routes, each with the {@link Access} it needs and, for bodies, their types. */
final class Router {
    private final JavalinConfig config;

    Router(JavalinConfig config) {
        this.config = config;
    }

    void get(String path, Access access, Handler handler) {
        config.routes.get(path, handler, access);
    }

    /** A route whose body is JSON (the default body type). */
    void post(String path, Access access, Handler handler) {
        config.routes.post(path, handler, access);
    }

    /** A route whose body is JSON (the default body type). */
    void put(String path, Access access, Handler handler) {
        config.routes.put(path, handler, access);
    }

    void delete(String path, Access access, Handler handler) {
        config.routes.delete(path, handler, access);
    }

    /** A route whose body may be of {@code bodyTypes}. */
    void add(HandlerType method, String path, Access access, BodyTypes bodyTypes, Handler handler) {
        config.routes.addEndpoint(new Endpoint(method, path, handler, Set.of(new Roles(Set.of(access)), bodyTypes)));
    }
}
