package dev.modelwatch.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The parse-only limit of BENCHMARKS.md: reads an NDJSON body with the server's JSON library and
 * settings (Jackson streaming, {@code USE_FAST_DOUBLE_PARSER}) the least an ingest path must —
 * every token; each field name taken, each string materialised, each number converted to a
 * double — and builds nothing. No validation, no maps, no event objects.
 *
 * <p>One parser reads the whole body (NDJSON is a sequence of root-level values to Jackson), which
 * is the cheapest legitimate way to read these bytes and so the fairest ceiling.
 *
 * <pre>{@code
 * ParseOnlyReader reader = new ParseOnlyReader();
 * int events = reader.read(body);
 * long sink = reader.checksum();   // publish it so the JIT cannot drop the work
 * }</pre>
 * Not thread-safe: one per thread.
 */
public final class ParseOnlyReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private long checksum;

    /** Reads every token of the body; returns the number of root-level objects (events). */
    public int read(byte[] body) {
        int events = 0;
        int depth = 0;
        long sum = checksum;
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> {
                        depth--;
                        if (depth == 0) {
                            events++;
                        }
                    }
                    case FIELD_NAME -> sum += p.currentName().length();
                    case VALUE_STRING -> sum += p.getText().length();
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> sum += Double.doubleToRawLongBits(p.getDoubleValue());
                    case VALUE_TRUE -> sum += 3;
                    case VALUE_FALSE -> sum += 5;
                    case VALUE_NULL -> sum += 7;
                    default -> {
                        // VALUE_EMBEDDED_OBJECT and NOT_AVAILABLE do not occur in a byte[] body
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the generated body is not valid JSON", e);
        }
        checksum = sum;
        return events;
    }

    /** A value depending on every token read, to publish so that the work cannot be optimised away. */
    public long checksum() {
        return checksum;
    }
}
