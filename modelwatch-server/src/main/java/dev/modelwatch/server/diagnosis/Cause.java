package dev.modelwatch.server.diagnosis;

import java.util.List;

/**
 * One probable cause, serialized as API.md's {@code causes[]} element.
 *
 * @param kind     what kind of cause
 * @param score    0..1; how it was computed is {@code scoreMethod} and docs/diagnosis.md
 * @param feature  the feature it names, or null
 * @param segment  the segment ({@code key=value}) it names, or null
 * @param version  the version it names, or null
 * @param summary  one sentence for people ("feature amount drifted: PSI 0.41, explains 62% of the drop")
 * @param evidence the numbers, windows and comparison behind it (a record per kind)
 * @param actions  suggested actions, most useful first
 * @param scoreMethod how {@code score} was computed, in words
 */
public record Cause(CauseKind kind, double score, String feature, String segment, String version, String summary,
                   Evidence evidence, List<SuggestedAction> actions, String scoreMethod) {
    public Cause {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be within 0..1, was " + score);
        }
        actions = actions == null ? List.of() : List.copyOf(actions);
    }
}
