package dev.modelwatch.core.rules;

/**
 * An expression that parsed and type-checked but cannot be evaluated on the data at hand: vector
 * matching that turns out many-to-one or many-to-many on the selected series. The message names the
 * operator and the match group.
 */
public final class RuleEvaluationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuleEvaluationException(String message) {
        super(message);
    }
}
