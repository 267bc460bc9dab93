package dev.modelwatch.core.quality;

/**
 * One data-quality problem of a window against its reference, as {@link DataQualityCheck#compare}
 * finds it.
 *
 * <p>In API answers a record of its components ({@code issue} by {@link Kind#wireName()}).
 *
 * <p><b>Names.</b> {@code feature} is the feature's name, or {@link #OUTPUT} for the model's
 * prediction and {@link #SCORE} for its score: names a real feature is unlikely to have (a feature
 * that does use one of them is reported under it all the same, and its issues read as the output's).
 *
 * <p>Usage:
 * <pre>{@code
 * for (DataQualityIssue i : DataQualityCheck.compare(reference, current, DataQualityPolicy.DEFAULT)) {
 *     report(i.feature(), i.issue().wireName(), i.message());
 * }
 * }</pre>
 *
 * @param feature   the feature, {@link #OUTPUT} or {@link #SCORE}
 * @param issue     what is wrong
 * @param value     the current window's measure of it (a rate or fraction, or the current sd for
 *                  {@link Kind#CONSTANT}); null when there is none
 * @param reference the reference's value of the same measure; null when it has none
 * @param message   a sentence saying what was seen, with the counts behind it
 */
public record DataQualityIssue(String feature, Kind issue, Double value, Double reference, String message) {
    /** The name under which issues of the model's output (prediction) are reported. */
    public static final String OUTPUT = "__output__";
    /** The name under which issues of the model's score are reported. */
    public static final String SCORE = "__score__";

    /** The kinds of issue, with their names in API answers. The rules are in {@link DataQualityCheck}. */
    public enum Kind {
        MISSING_RATE("missing_rate"),
        TYPE_MISMATCH("type_mismatch"),
        OUT_OF_RANGE("out_of_range"),
        NEW_CATEGORY("new_category"),
        CONSTANT("constant"),
        SCHEMA("schema"),
        NON_FINITE("non_finite"),
        SCORE_OUT_OF_RANGE("score_out_of_range");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** Lower snake case, as in API answers. */
        public String wireName() {
            return wireName;
        }
    }

    public DataQualityIssue {
        if (feature == null || issue == null || message == null) {
            throw new IllegalArgumentException("feature, issue and message must not be null, were " + feature + ", "
                    + issue + ", " + message);
        }
    }
}
