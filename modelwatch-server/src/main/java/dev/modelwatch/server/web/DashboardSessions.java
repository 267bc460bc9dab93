package dev.modelwatch.server.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.auth.SessionTokens;
import dev.modelwatch.store.StoredToken;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions of the dashboard: a person types a token once; the server keeps it in memory
 * under a random session id and hands the browser only that id, as an {@code HttpOnly},
 * {@code SameSite=Strict} cookie, so that no script and no URL ever holds the token. Requests of
 * the session are checked with the token itself (its scopes; revoking it ends the session).
 * Sessions end after {@link #LIFETIME} and with the server.
 */
public final class DashboardSessions implements SessionTokens {
    static final String COOKIE = "modelwatch_session";
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final int MAX_SESSIONS = 10_000;

    /** {@code GET /api/v1/dashboard/session}: who the browser is. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SessionView(boolean signedIn, String tokenName, List<String> scopes) {
    }

    private record Session(String token, long expiresAtMs) {
    }

    private final ApiTokens tokens;
    private final Random random;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /**
     * @param tokens the server's tokens; null when token checks are off
     * @param random a cryptographically strong source for session ids
     */
    public DashboardSessions(ApiTokens tokens, Random random, Clock clock) {
        this.tokens = tokens;
        this.random = random;
        this.clock = clock;
    }

    @Override
    public String tokenOf(Context ctx) {
        String id = ctx.cookie(COOKIE);
        Session s = id == null ? null : sessions.get(id);
        if (s == null) {
            return null;
        }
        if (s.expiresAtMs() <= clock.millis()) {
            sessions.remove(id);
            return null;
        }
        return s.token();
    }

    /** Starts a session for a valid token; empty when the token is not valid. */
    Optional<String> signIn(String token) {
        if (tokens == null || token == null || tokens.authenticate(token).isEmpty()) {
            return Optional.empty();
        }
        long now = clock.millis();
        sessions.values().removeIf(s -> s.expiresAtMs() <= now);
        if (sessions.size() >= MAX_SESSIONS) {
            return Optional.empty();
        }
        byte[] id = new byte[32];
        random.nextBytes(id);
        String sessionId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        sessions.put(sessionId, new Session(token, now + LIFETIME.toMillis()));
        return Optional.of(sessionId);
    }

    void signOut(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null) {
            sessions.remove(id);
        }
    }

    SessionView view(Context ctx) {
        String header = ctx.header("Authorization");
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim()
                : tokenOf(ctx);
        Optional<StoredToken> t = token == null || tokens == null ? Optional.empty() : tokens.authenticate(token);
        return t.map(s -> new SessionView(true, s.name(), s.scopes())).orElse(new SessionView(false, null, null));
    }
}
