package dev.modelwatch.server.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A token just created: the only time its secret is shown. */
public record CreatedToken(String id, String name, List<String> scopes, @JsonProperty("created_at") String createdAt,
                           String token) {
}
