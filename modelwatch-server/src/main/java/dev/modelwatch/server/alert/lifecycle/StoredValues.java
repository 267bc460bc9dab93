package dev.modelwatch.server.alert.lifecycle;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The encoding conventions shared by the stored documents of the alert packages (Jackson records
 * next to the values they store, such as {@link StoredRuleState}):
 * <ul>
 *   <li>times are epoch milliseconds, absent times are absent keys;</li>
 *   <li>64-bit fingerprints are 16 lower-case hex digits (a JSON number would lose precision past
 *       2<sup>53</sup> in JavaScript);</li>
 *   <li>doubles are numbers, except non-finite ones, written {@code "NaN"}, {@code "+Inf"},
 *       {@code "-Inf"} ({@link DoubleSerializer}, {@link DoubleDeserializer});</li>
 *   <li>labels are a mapping of name to value.</li>
 * </ul>
 * Reading a document back checks what Jackson cannot: {@link #require} names the missing field.
 */
public final class StoredValues {
    private StoredValues() {
    }

    /**
     * {@code value}, or an {@link IllegalArgumentException} saying that {@code field} is missing.
     */
    public static <T> T require(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
        return value;
    }

    /** A fingerprint read from 16 hex digits; the error names {@code field}. */
    public static long fingerprint(String hex, String field) {
        try {
            return AlertFingerprint.parse(require(hex, field));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** Fingerprints as hex, in their (unsigned) order. */
    public static List<String> hex(Collection<Long> fingerprints) {
        List<String> out = new ArrayList<>();
        for (long fp : fingerprints) {
            out.add(AlertFingerprint.format(fp));
        }
        return out;
    }

    /** Fingerprints read from hex, in unsigned order; the error names {@code field}. */
    public static Set<Long> fingerprints(List<String> hex, String field) {
        Set<Long> out = new TreeSet<>(Long::compareUnsigned);
        for (String h : require(hex, field)) {
            out.add(fingerprint(h, field));
        }
        return out;
    }

    /** Writes a double as a number, or {@code "NaN"}, {@code "+Inf"}, {@code "-Inf"}. */
    public static final class DoubleSerializer extends JsonSerializer<Double> {
        @Override
        public void serialize(Double v, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (v.isNaN()) {
                gen.writeString("NaN");
            } else if (v.isInfinite()) {
                gen.writeString(v > 0 ? "+Inf" : "-Inf");
            } else {
                gen.writeNumber(v);
            }
        }
    }

    /** Reads what {@link DoubleSerializer} writes. */
    public static final class DoubleDeserializer extends JsonDeserializer<Double> {
        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT || p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
                return p.getDoubleValue();
            }
            String s = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
            if ("NaN".equals(s)) {
                return Double.NaN;
            }
            if ("+Inf".equals(s)) {
                return Double.POSITIVE_INFINITY;
            }
            if ("-Inf".equals(s)) {
                return Double.NEGATIVE_INFINITY;
            }
            return (Double) ctx.handleUnexpectedToken(Double.class, p.currentToken(), p,
                    "must be a number, \"NaN\", \"+Inf\" or \"-Inf\"");
        }
    }
}
