package dev.modelwatch.server.alert.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.modelwatch.core.rules.SeriesLabels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of a {@link RuleState} (a Jackson record, {@link StoredValues} conventions):
 * {@code {"rule": .., "instances": [..], "last_evaluation": ms, "last_error": "..", "last_error_at": ms}},
 * absent keys for unset values, the instances in fingerprint order. {@link #toState()} reads it back
 * to an equal state, so a restart resumes pending timers, held resolutions and acknowledgements.
 *
 * @param rule           the rule's name
 * @param instances      its alert instances
 * @param lastEvaluation the time of the last step
 * @param lastError      the error of the last step
 * @param lastErrorAt    when the last error happened
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredRuleState(String rule, List<Instance> instances, Long lastEvaluation, String lastError,
        Long lastErrorAt) {

    /** The stored form of {@code s}. */
    public static StoredRuleState of(RuleState s) {
        return new StoredRuleState(s.rule(), s.instances().values().stream().map(Instance::of).toList(),
                s.lastEvaluationMs(), s.lastError(), s.lastErrorMs());
    }

    /**
     * The state this stores.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public RuleState toState() {
        Map<Long, AlertInstance> m = new LinkedHashMap<>();
        for (Instance i : StoredValues.require(instances, "rule_state.instances")) {
            AlertInstance a = i.toInstance();
            m.put(a.fingerprint(), a);
        }
        return new RuleState(StoredValues.require(rule, "rule_state.rule"), m, lastEvaluation, lastError, lastErrorAt);
    }

    /**
     * The stored form of an {@link AlertInstance} (its times in epoch ms, absent when unset).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Instance(String fingerprint, Map<String, String> labels, Map<String, String> seriesLabels,
            Map<String, String> annotations, String state,
            @JsonSerialize(using = StoredValues.DoubleSerializer.class)
            @JsonDeserialize(using = StoredValues.DoubleDeserializer.class) Double value,
            Long stateSince, Long activeAt, Long firedAt, Long resolvedAt, Long keepFiringSince, Long episodeStart,
            Long lastResolveNotified, Boolean flapping, Long resolveHeldUntil, Ack acknowledgement, Long lastSeen) {

        public static Instance of(AlertInstance a) {
            return new Instance(a.id(), a.labels().asMap(), a.seriesLabels().asMap(), a.annotations(),
                    a.state().wireName(), a.value(), a.stateSinceMs(), a.activeAtMs(), a.firedAtMs(), a.resolvedAtMs(),
                    a.keepFiringSinceMs(), a.episodeStartMs(), a.lastResolveNotifiedMs(), a.flapping(),
                    a.resolveHeldUntilMs(), a.acknowledgement() == null ? null : Ack.of(a.acknowledgement()),
                    a.lastSeenMs());
        }

        /** @throws IllegalArgumentException naming the field that is missing or malformed */
        public AlertInstance toInstance() {
            return new AlertInstance(StoredValues.fingerprint(fingerprint, "alert.fingerprint"),
                    SeriesLabels.of(StoredValues.require(labels, "alert.labels")),
                    SeriesLabels.of(StoredValues.require(seriesLabels, "alert.series_labels")),
                    StoredValues.require(annotations, "alert.annotations"),
                    AlertState.ofWireName(StoredValues.require(state, "alert.state")),
                    StoredValues.require(value, "alert.value"), StoredValues.require(stateSince, "alert.state_since"),
                    activeAt, firedAt, resolvedAt, keepFiringSince, episodeStart, lastResolveNotified,
                    flapping != null && flapping, resolveHeldUntil,
                    acknowledgement == null ? null : acknowledgement.toAcknowledgement(), lastSeen);
        }
    }

    /** The stored form of an {@link Acknowledgement}: {@code {"by": .., "comment": .., "at": epochMs}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ack(String by, String comment, Long at) {
        public static Ack of(Acknowledgement a) {
            return new Ack(a.by(), a.comment(), a.atMs());
        }

        public Acknowledgement toAcknowledgement() {
            return new Acknowledgement(StoredValues.require(by, "acknowledgement.by"), comment,
                    StoredValues.require(at, "acknowledgement.at"));
        }
    }
}
