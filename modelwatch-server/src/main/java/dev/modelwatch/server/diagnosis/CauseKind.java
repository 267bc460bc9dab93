package dev.modelwatch.server.diagnosis;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The kinds of cause of API.md's incidents section. */
public enum CauseKind {
    COVARIATE_DRIFT, DATA_QUALITY, CONCEPT_DRIFT, LABEL_SHIFT, SEGMENT, VERSION_REGRESSION, INFRASTRUCTURE, TRAINING;

    /** The name in answers: {@code covariate_drift}, .... */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
