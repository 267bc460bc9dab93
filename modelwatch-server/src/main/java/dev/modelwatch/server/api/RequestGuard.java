package dev.modelwatch.server.api;

import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.auth.BodyTypes;
import dev.modelwatch.server.auth.SessionTokens;
import dev.modelwatch.store.StoredToken;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.security.RouteRole;
import io.javalin.security.Roles;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs before every matched route: refuses a state-changing request from a foreign web page
 * ({@code Origin}, {@code Sec-Fetch-Site}), with a body type its route does not accept (415), and
 * without a token carrying the route's scope (401, 403). Browsers send a cross-site request without
 * asking only with {@code text/plain}, form or multipart bodies, and always with an {@code Origin}:
 * both are refused, so no web page can change anything here.
 */
public final class RequestGuard implements Handler {
    private static final Set<HandlerType> READ_ONLY = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

    private final ApiTokens tokens;
    private final boolean tokensRequired;
    private final Supplier<String> ownOrigin;
    private final SessionTokens sessions;

    /**
     * @param tokens         the tokens; null when token checks are off ({@code --insecure-no-auth})
     * @param tokensRequired whether a request without a token is refused (otherwise it may do anything)
     * @param ownOrigin      this server's origin as browsers see it (known once it listens)
     */
    public RequestGuard(ApiTokens tokens, boolean tokensRequired, Supplier<String> ownOrigin) {
        this(tokens, tokensRequired, ownOrigin, SessionTokens.NONE);
    }

    /** @param sessions the token of a browser session, taken when a request has no {@code Authorization} header */
    public RequestGuard(ApiTokens tokens, boolean tokensRequired, Supplier<String> ownOrigin, SessionTokens sessions) {
        this.tokens = tokens;
        this.tokensRequired = tokensRequired;
        this.ownOrigin = ownOrigin;
        this.sessions = sessions;
    }

    @Override
    public void handle(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        Roles roles = endpoint == null ? null : endpoint.metadata(Roles.class);
        Access access = accessOf(roles == null ? Set.of() : roles.getRoles());
        boolean changesState = !READ_ONLY.contains(ctx.method());
        if (changesState) {
            checkOrigin(ctx);
            checkBodyType(ctx, endpoint);
        }
        if (access == Access.PUBLIC || tokens == null) {
            return;
        }
        String authorization = ctx.header("Authorization");
        if (authorization == null) {
            String session = sessions.tokenOf(ctx);
            authorization = session == null ? null : "Bearer " + session;
        }
        if (authorization == null && !tokensRequired) {
            return;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"modelwatch\"");
            throw new ApiException(401, "authentication required: send 'Authorization: Bearer <token>' with a token"
                    + " of scope '" + access.scopeName() + "' (create one with 'modelwatch token create')");
        }
        Optional<StoredToken> token = tokens.authenticate(authorization.substring(7).trim());
        if (token.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"modelwatch\", error=\"invalid_token\"");
            throw new ApiException(401, "the bearer token is not valid (unknown, malformed or revoked)");
        }
        if (!token.get().scopes().contains(access.scopeName())) {
            throw new ApiException(403, "token '" + token.get().id() + "' lacks scope '" + access.scopeName()
                    + "' needed for " + ctx.method() + " " + endpoint.path + "; it has " + token.get().scopes());
        }
    }

    private static Access accessOf(Set<RouteRole> roles) {
        for (RouteRole r : roles) {
            if (r instanceof Access a) {
                return a;
            }
        }
        // fail closed: a route added without an access rule is not served
        throw new ApiException(500, "this route has no access rule; it is not served");
    }

    private void checkOrigin(Context ctx) {
        String fetchSite = ctx.header("Sec-Fetch-Site");
        if (fetchSite != null && fetchSite.trim().equalsIgnoreCase("cross-site")) {
            throw new ApiException(403, "cross-site request refused (Sec-Fetch-Site: cross-site): a web page of another"
                    + " site cannot change anything here");
        }
        String origin = ctx.header("Origin");
        if (origin == null) {
            return; // not a browser (curl, client libraries)
        }
        String own = ownOrigin.get();
        String sent;
        try {
            sent = AccessConfig.originOf(origin);
        } catch (IllegalArgumentException e) {
            sent = origin;
        }
        if (!sent.equals(own)) {
            throw new ApiException(403, "Origin '" + origin + "' is not this server's (" + own
                    + ", server.external_url): request refused");
        }
    }

    private static void checkBodyType(Context ctx, Endpoint endpoint) {
        BodyTypes accepted = endpoint.metadata(BodyTypes.class);
        if (accepted == null) {
            accepted = BodyTypes.JSON;
        }
        String type = ctx.contentType();
        if (type == null || type.isBlank()) {
            return; // read as the route's first type; a browser's cross-origin request carries an Origin, checked above
        }
        if (!accepted.accepts(type)) {
            throw new ApiException(415, "Content-Type '" + type + "' is not accepted by " + ctx.method() + " "
                    + endpoint.path + "; send " + String.join(", ", accepted.types()));
        }
    }
}
