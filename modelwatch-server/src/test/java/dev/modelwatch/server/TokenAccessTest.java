package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.auth.AuthMode;
import dev.modelwatch.server.config.ConfigException;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API tokens and their scopes on a server that requires them (server.auth: required). */
class TokenAccessTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;
    private TestServer server;
    /** A token with exactly this one scope. */
    private final Map<Access, String> only = new java.util.EnumMap<>(Access.class);
    /** A token with every scope but this one. */
    private final Map<Access, String> allBut = new java.util.EnumMap<>(Access.class);

    @BeforeEach
    void createTokensThenStart() {
        ServerConfig config = ServerConfig.defaults().withDataDir(dir)
                .withAccess(new AccessConfig(AuthMode.REQUIRED, false, null));
        try (Store store = Stores.open(config.jdbcUrl(), config.sketches())) {
            ApiTokens tokens = new ApiTokens(store.tokens(), Clock.systemUTC(), new SecureRandom(), 30_000);
            for (Access a : List.of(Access.INGEST, Access.READ, Access.ADMIN)) {
                only.put(a, tokens.create("only " + a.scopeName(), List.of(a.scopeName())).token());
                List<String> others = EnumSet.complementOf(EnumSet.of(a, Access.PUBLIC)).stream()
                        .map(Access::scopeName).toList();
                allBut.put(a, tokens.create("all but " + a.scopeName(), others).token());
            }
        }
        server = TestServer.start(config);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyRouteOfTheRouteTableRefusesNoTokenAndTheWrongScopeAndServesTheRightOne() {
        List<Endpoint> routes = server.server().api().routeTable();
        assertThat(routes).hasSizeGreaterThan(20);
        List<String> checked = new ArrayList<>();
        for (Endpoint e : routes) {
            String route = e.method + " " + e.path;
            Roles roles = e.metadata(Roles.class);
            Set<Access> access = roles == null ? Set.of() : roles.getRoles().stream()
                    .filter(Access.class::isInstance).map(Access.class::cast).collect(Collectors.toSet());
            assertThat(access).as("access rule of %s", route).hasSize(1);
            Access needed = access.iterator().next();
            String path = e.path.replace("{model}", "m1").replaceAll("\\{[a-z_]+\\}", "x1").replace("<path>", "app.js");
            if (needed == Access.PUBLIC) {
                assertThat(send(e.method, path, null).statusCode()).as(route).isNotIn(401, 403);
                continue;
            }
            HttpResponse<String> none = send(e.method, path, null);
            assertThat(none.statusCode()).as("%s without a token", route).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).as(route).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer"));
            assertThat(json(none).path("error").asText()).as(route).contains("'" + needed.scopeName() + "'");
            HttpResponse<String> wrong = send(e.method, path, allBut.get(needed));
            assertThat(wrong.statusCode()).as("%s with every scope but %s", route, needed.scopeName()).isEqualTo(403);
            assertThat(json(wrong).path("error").asText()).as(route).contains("'" + needed.scopeName() + "'");
            assertThat(send(e.method, path, only.get(needed)).statusCode()).as("%s with scope %s", route,
                    needed.scopeName()).isNotIn(401, 403);
            checked.add(route);
        }
        assertThat(checked).contains("POST /api/v1/events", "GET /metrics", "POST /api/v1/silences",
                "DELETE /api/v1/tokens/{id}", "PUT /api/v1/models/{model}");
    }

    @Test
    void aTokenCreatedThroughTheApiWorksAndIsRefusedAtOnceWhenRevoked() {
        HttpResponse<String> created = send(HandlerType.POST, "/api/v1/tokens", only.get(Access.ADMIN),
                "{\"name\": \"dashboard\", \"scopes\": [\"read\"]}");
        assertThat(created.statusCode()).isEqualTo(201);
        String token = json(created).path("token").asText();
        String id = json(created).path("id").asText();
        assertThat(token).startsWith("mw_").hasSizeGreaterThan(50);
        assertThat(send(HandlerType.GET, "/api/v1/models", token).statusCode()).isEqualTo(200);

        HttpResponse<String> listed = send(HandlerType.GET, "/api/v1/tokens", only.get(Access.ADMIN));
        assertThat(listed.body()).contains(id).contains("dashboard").doesNotContain(token)
                .doesNotContain(token.substring(token.length() - 20));

        assertThat(send(HandlerType.DELETE, "/api/v1/tokens/" + id, only.get(Access.ADMIN)).statusCode()).isEqualTo(204);
        HttpResponse<String> after = send(HandlerType.GET, "/api/v1/models", token);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(json(after).path("error").asText()).contains("not valid");
    }

    @Test
    void aTokenWithAnotherSecretOrAMalformedOneIsRefused() {
        String good = only.get(Access.READ);
        String forged = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThat(send(HandlerType.GET, "/api/v1/models", forged).statusCode()).isEqualTo(401);
        assertThat(send(HandlerType.GET, "/api/v1/models", "not-a-token").statusCode()).isEqualTo(401);
        assertThat(send(HandlerType.GET, "/api/v1/models", good).statusCode()).isEqualTo(200);
    }

    @Test
    void aServerBoundBeyondLoopbackRefusesToStartWithoutATokenUnlessToldItIsInsecure(@TempDir Path empty) {
        ServerConfig open = ServerConfig.defaults().withDataDir(empty).withBind("0.0.0.0").withPort(0);
        assertThatThrownBy(() -> ModelWatchServer.start(open, Clock.systemUTC()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("beyond loopback").hasMessageContaining("modelwatch token create")
                .hasMessageContaining("--insecure-no-auth");
        int code = dev.modelwatch.server.cli.Main.commandLine().execute("serve", "--bind", "0.0.0.0", "--port", "0",
                "--data-dir", empty.toString());
        assertThat(code).as("exit code of serve").isEqualTo(2);
        try (ModelWatchServer insecure = ModelWatchServer.start(open.withAccess(new AccessConfig(AuthMode.AUTO, true,
                null)), Clock.systemUTC())) {
            assertThat(insecure.port()).isPositive();
        }
    }

    private HttpResponse<String> send(HandlerType method, String path, String token) {
        return send(method, path, token, method == HandlerType.GET || method == HandlerType.DELETE ? null : "{}");
    }

    private HttpResponse<String> send(HandlerType method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(60))
                .method(method.toString(), body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return TestServer.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }
}
