package dev.modelwatch.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.ingest.BodyException;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Request bodies: read within a size limit, gunzipped, parsed as a JSON object. */
final class Bodies {
    /** The most a JSON body of a change (a silence, an acknowledgement, a token) may have. */
    static final int MAX_OBJECT_BYTES = 1 << 20;

    private Bodies() {
    }

    /** The body as sent, refused with 413 past {@code limit} (by its Content-Length when it declares one). */
    static byte[] readLimited(Context ctx, long limit) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw new BodyException(413, "body of " + declared + " bytes is over the limit of " + limit
                    + " bytes (ingest.max_body_bytes)");
        }
        if (declared >= 0) {
            byte[] body = new byte[(int) declared];
            int n = ctx.bodyInputStream().readNBytes(body, 0, body.length);
            if (n < declared) {
                throw new BodyException(400, "truncated body: " + n + " of " + declared + " bytes arrived");
            }
            return body;
        }
        return readLimited(ctx.bodyInputStream(), limit, "body");
    }

    /** Whether the body is gzip ({@code Content-Encoding}); 400 for an encoding other than gzip or identity. */
    static boolean isGzip(Context ctx) {
        String encoding = ctx.header("Content-Encoding");
        if (encoding == null || encoding.trim().equalsIgnoreCase("identity")) {
            return false;
        }
        if (encoding.trim().equalsIgnoreCase("gzip")) {
            return true;
        }
        throw new BodyException(400, "Content-Encoding '" + encoding + "' is not supported; use gzip or none");
    }

    static byte[] gunzip(byte[] raw, long limit) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            return readLimited(in, limit, "decompressed body");
        } catch (ZipException | java.io.EOFException e) {
            throw new BodyException(400, "body is not valid gzip: " + e.getMessage());
        }
    }

    private static byte[] readLimited(InputStream in, long limit, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > limit) {
                throw new BodyException(413, what + " is over the limit of " + limit + " bytes (ingest.max_body_bytes)");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** The body as a JSON object (at most {@link #MAX_OBJECT_BYTES}); 400 when it is not one. */
    static JsonNode jsonObject(Context ctx) throws IOException {
        byte[] body = readLimited(ctx, MAX_OBJECT_BYTES);
        try {
            JsonNode n = Answers.JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new ApiException(400, "the body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    /** The whole body as JSON, whatever its shape; 400 when it is not JSON. */
    static JsonNode json(Context ctx) {
        try {
            return Answers.JSON.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new ApiException(400, "malformed JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }
}
