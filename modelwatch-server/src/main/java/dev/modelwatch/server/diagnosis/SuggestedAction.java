package dev.modelwatch.server.diagnosis;

/**
 * An action worth taking for a cause.
 *
 * @param action the action's name, as remediation hooks are configured for it
 *               ({@code rollback}, {@code retrain}, {@code shift_traffic}, {@code fix_pipeline},
 *               {@code scale_up}, {@code investigate}, {@code stop_run}, ...)
 * @param reason why it helps, in one sentence
 */
public record SuggestedAction(String action, String reason) {
}
