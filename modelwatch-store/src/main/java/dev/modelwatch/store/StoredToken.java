package dev.modelwatch.store;

import java.util.List;
import java.util.Objects;

/**
 * An API token as the store keeps it: never the token itself, only a hash of it, with what the
 * server needs to decide what the token may do and to show it to an administrator.
 *
 * @param id           the token's public identifier (also a part of the token), at most 32 characters
 * @param name         what the token is for, at most 128 characters
 * @param scopes       what it may do ({@code ingest}, {@code read}, {@code admin}), at least one
 * @param tokenHash    the SHA-256 of the whole token, 64 lowercase hex digits
 * @param createdAtMs  when it was created
 * @param lastUsedAtMs when a request last presented it, null when never
 * @param revokedAtMs  when it was revoked, null while it is valid
 */
public record StoredToken(String id, String name, List<String> scopes, String tokenHash, long createdAtMs,
                          Long lastUsedAtMs, Long revokedAtMs) {
    public StoredToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tokenHash, "tokenHash");
        scopes = List.copyOf(scopes);
        if (id.isEmpty() || id.length() > 32) {
            throw new IllegalArgumentException("id must be 1 to 32 characters, was " + id.length());
        }
        if (name.isEmpty() || name.length() > 128) {
            throw new IllegalArgumentException("name must be 1 to 128 characters, was " + name.length());
        }
        if (scopes.isEmpty() || String.join(",", scopes).length() > 64) {
            throw new IllegalArgumentException("scopes must be at least one, at most 64 characters together");
        }
        if (!tokenHash.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("tokenHash must be 64 lowercase hex digits");
        }
    }

    /** Whether the token was revoked. */
    public boolean revoked() {
        return revokedAtMs != null;
    }

    /** This token as used at {@code atMs}. */
    public StoredToken usedAt(long atMs) {
        return new StoredToken(id, name, scopes, tokenHash, createdAtMs, atMs, revokedAtMs);
    }

    /** This token revoked at {@code atMs} (a token revoked earlier keeps its first revocation time). */
    public StoredToken revokedAt(long atMs) {
        return revoked() ? this : new StoredToken(id, name, scopes, tokenHash, createdAtMs, lastUsedAtMs, atMs);
    }
}
