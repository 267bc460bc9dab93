package dev.modelwatch.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.modelwatch.core.event.Event;
import java.io.IOException;
import java.util.Map;

/**
 * Reads one event object (or one reference row): each known field by its {@link EventFields} reader
 * into a {@link RawEvent}, unknown fields skipped, then the {@link EventRules} of its kind and
 * whether its text can be stored ({@link StorableText}).
 */
final class EventReader {
    private final IngestLimits limits;
    private final EventRules rules;
    /** The instances kept for the aggregation thread; null: each event keeps its own copies. */
    private final DecodedValues values;

    EventReader(IngestLimits limits) {
        this(limits, true);
    }

    EventReader(IngestLimits limits, boolean keepValues) {
        this.values = keepValues ? new DecodedValues() : null;
        this.limits = limits;
        this.rules = new EventRules(limits);
    }

    /** Reads the event object whose START_OBJECT is the current token: the event, or why it is rejected. */
    Object event(JsonParser p, long now) throws IOException {
        RawEvent raw = new RawEvent();
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "type" -> raw.type = EventFields.text(p, t, "type", raw);
                case "model" -> raw.model = EventFields.text(p, t, "model", raw);
                case "id" -> raw.id = EventFields.idText(p, t, raw);
                case "version" -> raw.version = EventFields.text(p, t, "version", raw);
                case "timestamp" -> raw.timestamp = EventFields.timestamp(p, t, raw);
                case "features" -> raw.features = EventObjectFields.features(p, t, raw, limits.maxFeatures());
                case "prediction" -> raw.prediction = EventFields.scalar(p, t, "prediction", raw);
                case "score" -> raw.score = EventFields.number(p, t, "score", raw);
                case "scores" -> raw.scores = EventObjectFields.numberMap(p, t, "scores", raw, IngestLimits.MAX_CLASSES);
                case "latency_ms" -> raw.latency = EventFields.number(p, t, "latency_ms", raw);
                case "error" -> raw.error = EventFields.text(p, t, "error", raw);
                case "segments" -> raw.segments = EventObjectFields.stringMap(p, t, "segments", raw, IngestLimits.MAX_SEGMENTS);
                case "label" -> raw.label = EventFields.scalar(p, t, "label", raw);
                case "run" -> raw.run = EventFields.idText(p, t, raw, "run");
                case "step" -> raw.step = EventFields.number(p, t, "step", raw);
                case "epoch" -> raw.epoch = EventFields.number(p, t, "epoch", raw);
                case "metrics" -> raw.metrics = EventObjectFields.numberMap(p, t, "metrics", raw, limits.maxFeatures());
                case "name" -> raw.name = EventFields.text(p, t, "name", raw);
                case "value" -> raw.value = EventFields.number(p, t, "value", raw);
                case "labels" -> raw.labels = EventObjectFields.stringMap(p, t, "labels", raw, IngestLimits.MAX_SEGMENTS);
                default -> p.skipChildren();
            }
        }
        if (raw.problem == null && values != null) {
            // the instances the decoding threads keep: the aggregation thread compares them by identity first
            raw.model = values.text(raw.model);
            raw.version = values.text(raw.version);
            raw.segments = values.segments(raw.segments);
        }
        Event e = raw.problem == null ? rules.build(raw, now) : null;
        if (e != null) {
            String unstorable = StorableText.problem(e);
            if (unstorable != null) {
                return unstorable;
            }
        }
        return e != null ? e : raw.problem;
    }

    /**
     * One row of a reference data set, read with the same rules as a prediction event's fields:
     * {@code features}, {@code prediction}, {@code score}, {@code scores}, {@code label}; other fields
     * are ignored. The parser stands on the row's START_OBJECT.
     *
     * @return the row, or the problem that rejects it (the row is consumed either way)
     */
    EventDecoder.ReferenceRow referenceRow(JsonParser p) throws IOException {
        RawEvent raw = new RawEvent();
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "features" -> raw.features = EventObjectFields.features(p, t, raw, limits.maxFeatures());
                case "prediction" -> raw.prediction = EventFields.scalar(p, t, "prediction", raw);
                case "score" -> raw.score = EventFields.number(p, t, "score", raw);
                case "scores" -> raw.scores = EventObjectFields.numberMap(p, t, "scores", raw, IngestLimits.MAX_CLASSES);
                case "label" -> raw.label = EventFields.scalar(p, t, "label", raw);
                default -> p.skipChildren();
            }
        }
        if (raw.problem == null && raw.score != null && raw.scores != null) {
            raw.fail("score and scores: send score for a binary model or scores for a multiclass one, not both");
        }
        if (raw.problem == null && raw.label instanceof Double d && !Double.isFinite(d)) {
            raw.fail("label: must be finite, got " + d);
        }
        if (raw.problem == null && raw.features == null && raw.prediction == null && raw.score == null
                && raw.scores == null) {
            raw.fail("features: required (or prediction, score or scores)");
        }
        return new EventDecoder.ReferenceRow(raw.features == null ? Map.of() : raw.features, raw.prediction, raw.score, raw.scores,
                raw.label, raw.problem);
    }
}
