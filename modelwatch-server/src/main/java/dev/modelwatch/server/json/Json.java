package dev.modelwatch.server.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.modelwatch.core.drift.DriftShare;
import dev.modelwatch.core.metrics.ProfileSummary;
import dev.modelwatch.core.quality.DataQualityIssue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The one JSON configuration of the server's answers and stored documents: records serialized by
 * Jackson, a component {@code nextCursor} written as the field {@code next_cursor}.
 *
 * <p>Usage: {@code byte[] b = Json.bytes(record); Foo f = Json.read(b, Foo.class, "foo");}
 */
public final class Json {
    /** The shared mapper (thread-safe once configured; do not reconfigure it). */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addMixIn(DataQualityIssue.Kind.class, WireName.class)
            .addMixIn(DriftShare.class, DriftShareNames.class)
            .addMixIn(ProfileSummary.Classification.class, SummaryOptionalFields.class)
            .addMixIn(ProfileSummary.Regression.class, SummaryOptionalFields.class)
            .addMixIn(ProfileSummary.NumericalFeature.class, FeatureOptionalFields.class)
            .addMixIn(ProfileSummary.CategoricalFeature.class, FeatureOptionalFields.class);

    /** Core's enums that name themselves in answers ({@code wireName()}) without depending on Jackson. */
    private abstract static class WireName {
        @JsonValue
        abstract String wireName();
    }

    /** {@link DriftShare#reasons()} is {@code null_reasons} in answers: why a share is null. */
    private abstract static class DriftShareNames {
        @JsonProperty("null_reasons")
        abstract Map<String, String> reasons();
    }

    /** A summary's fields that are left out when they do not apply (see {@link ProfileSummary}). */
    private abstract static class SummaryOptionalFields {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        abstract String positiveClass();

        @JsonInclude(JsonInclude.Include.NON_NULL)
        abstract ProfileSummary.FeatureSummary score();

        @JsonInclude(JsonInclude.Include.NON_NULL)
        abstract Long droppedFeatureValues();
    }

    /** A feature summary's {@code type_mismatch_count} is left out when there is none. */
    private abstract static class FeatureOptionalFields {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        abstract Long typeMismatchCount();
    }

    private Json() {
    }

    /** {@code value} as JSON bytes. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a stored document of type {@code type}, described as {@code what} in errors.
     *
     * @throws IllegalArgumentException naming the document, and the field and problem Jackson found
     */
    public static <T> T read(byte[] json, Class<T> type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("corrupt " + what + ": " + cause.getMessage(), e);
        }
    }
}
