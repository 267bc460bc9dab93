package dev.modelwatch.core.drift;

/**
 * The outcome of a feature's drift decision. A statistic from sketches is known only within an error
 * bound, so the decision compares the interval {@code [low, high]} the exact samples' statistic must
 * lie in (at the sketches' 99% confidence) with the critical value, not the point estimate alone:
 * <ul>
 *   <li>{@link #DRIFTED}: the whole interval is past the critical value; the sketch error cannot have
 *       caused the alarm;</li>
 *   <li>{@link #UNCERTAIN}: the interval holds the critical value, so the exact samples may be on either
 *       side; never an alarm, reported so that a larger sketch (KLL k) can settle it;</li>
 *   <li>{@link #NO_DRIFT}: the whole interval is short of the critical value;</li>
 *   <li>{@link #NOT_TESTED}: no decision could be made (too few values, no reference, a reference with
 *       no spread); the reason says which.</li>
 * </ul>
 */
public enum DriftDecision {
    DRIFTED("drifted"),
    UNCERTAIN("uncertain"),
    NO_DRIFT("no_drift"),
    NOT_TESTED("not_tested");

    private final String wireName;

    DriftDecision(String wireName) {
        this.wireName = wireName;
    }

    /** The name in API answers, lower snake case. */
    public String wireName() {
        return wireName;
    }
}
