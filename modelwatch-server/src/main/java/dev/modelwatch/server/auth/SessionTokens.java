package dev.modelwatch.server.auth;

import io.javalin.http.Context;

/**
 * The token a request carries in a browser session instead of an {@code Authorization} header (the
 * dashboard's session cookie); null when it carries none. The token is checked like a bearer token,
 * so revoking it ends the session and its scopes bound what the session may do.
 */
@FunctionalInterface
public interface SessionTokens {
    SessionTokens NONE = ctx -> null;

    String tokenOf(Context ctx);
}
