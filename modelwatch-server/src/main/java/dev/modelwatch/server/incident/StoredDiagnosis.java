package dev.modelwatch.server.incident;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.diagnosis.Diagnosis;
import dev.modelwatch.server.json.Json;

/**
 * An incident's latest {@link Diagnosis} as it is stored and answered: the range examined and the
 * causes, ranked best first, as API.md's {@code causes[]} (each cause's evidence is its own record,
 * kept as the JSON it serializes to).
 *
 * @param fromMs     start of the range examined
 * @param toMs       end of the range examined
 * @param onsetMs    the onset the causes were compared around
 * @param computedAtMs when it was computed
 * @param causes     the causes, best first (a JSON array)
 */
public record StoredDiagnosis(long fromMs, long toMs, long onsetMs, long computedAtMs, JsonNode causes) {
    static StoredDiagnosis of(Diagnosis d) {
        return new StoredDiagnosis(d.from().toEpochMilli(), d.to().toEpochMilli(), d.onset().toEpochMilli(),
                d.computedAt().toEpochMilli(), Json.MAPPER.valueToTree(d.causes()));
    }
}
