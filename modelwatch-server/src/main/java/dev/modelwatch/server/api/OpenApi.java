package dev.modelwatch.server.api;

import dev.modelwatch.server.auth.Access;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code GET /api/v1/openapi.json}: the API as an OpenAPI 3.1 document, kept next to this class. */
final class OpenApi {
    /** Where the document lies on the class path. */
    static final String RESOURCE = "openapi.json";

    private OpenApi() {
    }

    /** The document's bytes. */
    static byte[] document() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path next to " + OpenApi.class);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void register(Router r) {
        byte[] document = document();
        r.get("/api/v1/openapi.json", Access.READ, ctx -> {
            ctx.contentType("application/json");
            ctx.result(document);
        });
    }
}
