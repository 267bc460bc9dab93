package dev.modelwatch.server.diagnosis;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What to explain.
 *
 * @param model  the model whose trouble is explained
 * @param from   start of the range examined (inclusive); the baseline is taken before {@code onset}
 * @param to     end of the range examined (exclusive)
 * @param onset  when the trouble started (the first alert's start), within {@code [from, to)}
 * @param alerts the names of the alerts ({@code alertname} label) that raised the question; may be empty
 * @param run    the training run the alerts are about, or null for a production model
 */
public record DiagnosisRequest(String model, Instant from, Instant to, Instant onset, List<String> alerts, String run) {
    public DiagnosisRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(onset, "onset");
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to");
        }
    }
}
