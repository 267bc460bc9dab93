package dev.modelwatch.core.drift;

import dev.modelwatch.core.profile.FeatureProfile;

/**
 * Whether a feature is compared as numbers or as categories. A feature's type is its reference
 * profile's majority type ({@link FeatureProfile#isNumerical()}): numbers (finite or not) at least as
 * many as strings make it numerical. The current window does not change it; values of the other type
 * there are a data-quality issue, not a new type.
 *
 * <p>Usage: {@code FeatureType type = FeatureType.of(referenceProfile);}
 */
public enum FeatureType {
    NUMERICAL("numerical"),
    CATEGORICAL("categorical");

    private final String wireName;

    FeatureType(String wireName) {
        this.wireName = wireName;
    }

    /** The name in API answers: {@code numerical} or {@code categorical}. */
    public String wireName() {
        return wireName;
    }

    public static FeatureType of(FeatureProfile profile) {
        return profile.isNumerical() ? NUMERICAL : CATEGORICAL;
    }
}
