package dev.modelwatch.server.auth;

import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.StoreException;
import dev.modelwatch.store.StoredToken;
import dev.modelwatch.store.TokenStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tokens: created with a secret shown once, kept only as a SHA-256 in the store, checked
 * against an in-memory copy so that a request costs no database query.
 *
 * <p>A token reads {@code mw_<id>_<secret>}: 12 base-32 characters of public id, then 43 characters
 * (256 random bits, base64url). The id finds the cached entry; the SHA-256 of the whole token is
 * compared in constant time. Creating or revoking through this object takes effect at once; tokens
 * created or revoked by another process (the command line) are seen when the copy is next reloaded:
 * on an unknown id (at most once per {@code reload}) and on the first check after {@code reload}
 * has passed, which also writes when the tokens were last used.
 */
public final class ApiTokens {
    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);
    private static final String PREFIX = "mw_";
    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int ID_LENGTH = 12;
    private static final int SECRET_BYTES = 32;

    private final TokenStore store;
    private final Clock clock;
    private final Random random;
    private final long reloadMs;
    private volatile Map<String, StoredToken> byId = Map.of();
    private final Map<String, Long> pendingUse = new ConcurrentHashMap<>();
    private volatile long loadedAtMs = Long.MIN_VALUE / 2;

    /**
     * @param random a cryptographically strong source ({@link java.security.SecureRandom}) in production
     * @param reloadMs how old the in-memory copy may grow before a check reloads it
     */
    public ApiTokens(TokenStore store, Clock clock, Random random, long reloadMs) {
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.reloadMs = reloadMs;
        reload();
    }

    /** Creates a token; its secret is in the answer and nowhere else. */
    public CreatedToken create(String name, List<String> scopeNames) {
        if (name == null || name.isBlank() || name.length() > 128) {
            throw new IllegalArgumentException("name: required, 1 to 128 characters");
        }
        if (scopeNames == null || scopeNames.isEmpty()) {
            throw new IllegalArgumentException("scopes: required, one or more of " + Access.scopeNames());
        }
        LinkedHashSet<String> scopes = new LinkedHashSet<>();
        for (String s : scopeNames) {
            try {
                scopes.add(Access.scope(s.trim()).scopeName());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("scopes: " + e.getMessage());
            }
        }
        StringBuilder id = new StringBuilder(ID_LENGTH);
        for (int i = 0; i < ID_LENGTH; i++) {
            id.append(ID_ALPHABET[random.nextInt(ID_ALPHABET.length)]);
        }
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        String token = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        long now = clock.millis();
        StoredToken stored = new StoredToken(id.toString(), name.trim(), List.copyOf(scopes), sha256(token), now, null, null);
        store.create(stored);
        Map<String, StoredToken> next = new HashMap<>(byId);
        next.put(stored.id(), stored);
        byId = Map.copyOf(next);
        return new CreatedToken(stored.id(), stored.name(), stored.scopes(), Times.format(now), token);
    }

    /** Every token, revoked ones included, oldest first, as the store has them now. */
    public List<StoredToken> all() {
        flushUse();
        return store.all();
    }

    /** Revokes a token, at once for this server; false when there is none with this id. */
    public boolean revoke(String id) {
        boolean found = store.revoke(id, clock.millis());
        reload();
        return found;
    }

    /** Whether at least one token that is not revoked exists. */
    public boolean anyValid() {
        return byId.values().stream().anyMatch(t -> !t.revoked());
    }

    /** The valid token that {@code presented} is, or empty (unknown, malformed or revoked). */
    public Optional<StoredToken> authenticate(String presented) {
        long now = clock.millis();
        if (now - loadedAtMs >= reloadMs) {
            flushUse();
            reload();
        }
        String id = idOf(presented);
        if (id == null) {
            return Optional.empty();
        }
        StoredToken t = byId.get(id);
        if (t == null && now - loadedAtMs >= Math.min(reloadMs, 1_000)) {
            reload(); // created by another process since the last load; at most once a second
            t = byId.get(id);
        }
        if (t == null || t.revoked()
                || !MessageDigest.isEqual(t.tokenHash().getBytes(StandardCharsets.US_ASCII),
                sha256(presented).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        pendingUse.put(t.id(), now);
        return Optional.of(t);
    }

    private static String idOf(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() != PREFIX.length() + ID_LENGTH + 1 + 43
                || token.charAt(PREFIX.length() + ID_LENGTH) != '_') {
            return null;
        }
        return token.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
    }

    private void reload() {
        try {
            Map<String, StoredToken> next = new HashMap<>();
            for (StoredToken t : store.all()) {
                next.put(t.id(), t);
            }
            byId = Map.copyOf(next);
        } catch (StoreException e) {
            LOG.warn("could not reload the API tokens ({}); checking against the copy of {} s ago", e.getMessage(),
                    (clock.millis() - loadedAtMs) / 1000);
        }
        loadedAtMs = clock.millis();
    }

    private void flushUse() {
        if (pendingUse.isEmpty()) {
            return;
        }
        Map<String, Long> batch = new HashMap<>(pendingUse);
        try {
            store.recordUse(batch);
            batch.forEach(pendingUse::remove);
        } catch (StoreException e) {
            LOG.warn("could not record when API tokens were last used: {}", e.getMessage());
        }
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The scopes of {@code t}, as {@link Access} values. */
    public static List<Access> scopesOf(StoredToken t) {
        List<Access> out = new ArrayList<>();
        for (String s : t.scopes()) {
            out.add(Access.scope(s));
        }
        return out;
    }
}
