package dev.modelwatch.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.auth.CreatedToken;
import dev.modelwatch.server.auth.TokenView;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The API tokens: create, list, revoke ({@code admin} only). */
final class AccessRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AccessRoutes.class);

    record TokenList(List<TokenView> tokens) {
    }

    /** The tokens, or null when token checks are off ({@code --insecure-no-auth}). */
    private final ApiTokens tokens;

    AccessRoutes(ApiTokens tokens) {
        this.tokens = tokens;
    }

    void register(Router r) {
        r.get("/api/v1/tokens", Access.ADMIN, ctx -> Answers.send(ctx, 200, new TokenList(
                tokens == null ? List.of() : tokens.all().stream().map(TokenView::of).toList())));
        r.post("/api/v1/tokens", Access.ADMIN, this::create);
        r.delete("/api/v1/tokens/{id}", Access.ADMIN, ctx -> {
            if (tokens == null) {
                throw new ApiException(409, "token checks are off (--insecure-no-auth): no tokens to revoke");
            }
            if (!tokens.revoke(ctx.pathParam("id"))) {
                throw new ApiException(404, "no token with id '" + ctx.pathParam("id") + "'");
            }
            ctx.status(204);
        });
    }

    private void create(Context ctx) throws IOException {
        if (tokens == null) {
            throw new ApiException(409, "token checks are off (--insecure-no-auth): a token created now would not be"
                    + " checked; restart without it");
        }
        JsonNode body = Bodies.jsonObject(ctx);
        List<String> scopes = new ArrayList<>();
        JsonNode s = body.path("scopes");
        if (s.isTextual()) {
            scopes.addAll(Arrays.asList(s.asText().split(",")));
        } else if (s.isArray()) {
            s.forEach(n -> scopes.add(n.asText()));
        }
        try {
            CreatedToken created = tokens.create(body.path("name").asText(null), scopes);
            LOG.info("API token {} ('{}', scopes {}) created through the API", created.id(), created.name(),
                    created.scopes());
            Answers.send(ctx, 201, created);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }
}
