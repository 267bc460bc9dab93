package dev.modelwatch.server.alert.dispatch;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.lifecycle.StoredValues;
import java.util.Map;

/**
 * The stored form of an {@link Alert} (a Jackson record, in the dispatcher's groups and the outbox):
 * {@code {"fingerprint": hex, "labels": {..}, "annotations": {..}, "starts_at": ms, "resolved_at": ms?,
 * "acknowledged_by": ".."?}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredAlert(String fingerprint, Map<String, String> labels, Map<String, String> annotations,
        Long startsAt, Long resolvedAt, String acknowledgedBy) {

    public static StoredAlert of(Alert a) {
        return new StoredAlert(a.id(), a.labels().asMap(), a.annotations(), a.startsAtMs(), a.resolvedAtMs(),
                a.acknowledgedBy());
    }

    /** @throws IllegalArgumentException naming the field that is missing or malformed */
    public Alert toAlert() {
        return new Alert(StoredValues.fingerprint(fingerprint, "alert.fingerprint"),
                SeriesLabels.of(StoredValues.require(labels, "alert.labels")),
                StoredValues.require(annotations, "alert.annotations"), StoredValues.require(startsAt, "alert.starts_at"),
                resolvedAt, acknowledgedBy);
    }
}
