package dev.modelwatch.server.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.StoredToken;
import java.util.List;

/** A token as listed: everything but its secret (which is not kept) and its hash. */
public record TokenView(String id, String name, List<String> scopes, @JsonProperty("created_at") String createdAt,
                        @JsonProperty("last_used_at") String lastUsedAt, @JsonProperty("revoked_at") String revokedAt) {

    public static TokenView of(StoredToken t) {
        return new TokenView(t.id(), t.name(), t.scopes(), Times.format(t.createdAtMs()),
                t.lastUsedAtMs() == null ? null : Times.format(t.lastUsedAtMs()),
                t.revokedAtMs() == null ? null : Times.format(t.revokedAtMs()));
    }
}
