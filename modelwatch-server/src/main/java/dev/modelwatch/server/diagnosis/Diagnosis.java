package dev.modelwatch.server.diagnosis;

import java.time.Instant;
import java.util.List;

/**
 * The answer to a {@link DiagnosisRequest}: causes ranked by score, best first.
 *
 * @param model      the model explained
 * @param from       start of the range examined
 * @param to         end of the range examined
 * @param onset      the onset the causes were compared around
 * @param causes     probable causes, best first
 * @param computedAt when this diagnosis was computed
 */
public record Diagnosis(String model, Instant from, Instant to, Instant onset, List<Cause> causes, Instant computedAt) {
    public Diagnosis {
        causes = List.copyOf(causes);
    }
}
