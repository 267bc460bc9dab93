package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.auth.Access;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /api/v1/openapi.json} describes exactly the routes the server answers: every route of
 * the route table is documented with the scope it needs, no documented route is missing, and every
 * {@code $ref} of the document names a component it has.
 */
class OpenApiTest {
    @RegisterExtension
    final ServerFixture fixture = ServerFixture.defaults();

    @Test
    void theOpenApiDocumentDescribesEveryRouteAndNoOther(TestServer server) {
        TestServer.Response r = server.get("/api/v1/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        JsonNode doc = r.json();
        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");

        Map<String, String> served = new TreeMap<>();
        for (Endpoint e : server.server().api().routeTable()) {
            Roles roles = e.metadata(Roles.class);
            Access access = (Access) roles.getRoles().stream().filter(Access.class::isInstance).findFirst().orElseThrow();
            served.put(e.method.name() + " " + e.path.replaceAll("<([a-z_]+)>", "{$1}"), access == Access.PUBLIC ? "none" : access.scopeName());
        }
        Map<String, String> documented = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                JsonNode security = op.getValue().path("security");
                String scope = security.isEmpty() ? "none" : security.get(0).path("bearer").get(0).asText();
                documented.put(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), scope);
                assertThat(op.getValue().path("responses").size()).as("responses of %s %s", op.getKey(),
                        path.getKey()).isPositive();
            }
        }
        assertThat(documented).as("documented routes and their scopes").isEqualTo(served);

        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : new TreeSet<>(refs)) {
            assertThat(ref).startsWith("#/");
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as("%s resolves", ref).isFalse();
        }
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), out);
                }
            });
        } else if (n.isArray()) {
            n.forEach(e -> collectRefs(e, out));
        }
    }
}
