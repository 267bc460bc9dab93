package dev.modelwatch.store;

import java.util.List;
import java.util.Map;

/**
 * The API tokens of a {@link Store} (hashes only, see {@link StoredToken}). Tokens are few (one per
 * client or person), so they are read all at once; the server caches them and never reads this on
 * the path of a request.
 *
 * <p>Usage:
 * <pre>{@code
 * store.tokens().create(token);
 * for (StoredToken t : store.tokens().all()) { ... }
 * store.tokens().revoke(t.id(), clock.millis());
 * }</pre>
 */
public interface TokenStore {
    /**
     * Stores a new token.
     *
     * @throws StoreException when a token with the same id exists, or the database fails
     */
    void create(StoredToken token);

    /** Every token, revoked ones included, oldest first. */
    List<StoredToken> all();

    /**
     * Revokes a token; a token revoked before keeps its first revocation time.
     *
     * @return whether a token with this id exists
     */
    boolean revoke(String id, long atMs);

    /** Records when tokens were last used (token id to time); an earlier time than the stored one is ignored. */
    void recordUse(Map<String, Long> lastUsedAtMs);
}
