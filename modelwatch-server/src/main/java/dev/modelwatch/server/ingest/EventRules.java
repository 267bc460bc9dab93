package dev.modelwatch.server.ingest;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.event.TrainingEvent;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules an event read from a body must keep to become an event: its type, the time window it may
 * fall in (ingest.max_future_skew, the retention), the model name, and per event kind its required
 * fields and the numbers it may hold (finite, at least 0, integers a double holds exactly).
 */
final class EventRules {
    /** The largest integer a double holds exactly; larger steps and epochs would be stored rounded or clamped. */
    private static final double MAX_EXACT_INTEGER = 9_007_199_254_740_992.0;
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]{0,199}");

    private final IngestLimits limits;

    EventRules(IngestLimits limits) {
        this.limits = limits;
    }

    /** The event {@code r} describes, received at {@code now}; null when it breaks a rule (recorded on {@code r}). */
    Event build(RawEvent r, long now) {
        if (r.type == null) {
            return r.fail("type: required (prediction, label, training or metric)");
        }
        long ts = now;
        if (r.timestamp != null) {
            ts = r.timestamp;
            if (ts > now + limits.maxFutureSkew().toMillis()) {
                return r.fail("timestamp: " + java.time.Instant.ofEpochMilli(ts) + " is more than "
                        + limits.maxFutureSkew().toMinutes() + " min in the future (ingest.max_future_skew)");
            }
            if (ts < now - limits.maxAge().toMillis()) {
                return r.fail("timestamp: " + java.time.Instant.ofEpochMilli(ts) + " is older than the retention of "
                        + limits.maxAge().toDays() + " days");
            }
        }
        if (!r.type.equals("metric")) {
            if (r.model == null) {
                return r.fail("model: required");
            }
            if (!ModelNames.isModelName(r.model)) {
                return r.fail("model: '" + EventFields.abbreviate(r.model) + "' " + ModelNames.modelNameProblem(r.model));
            }
        }
        return switch (r.type) {
            case "prediction" -> prediction(r, ts);
            case "label" -> label(r, ts);
            case "training" -> training(r, ts);
            case "metric" -> metric(r, ts);
            default -> r.fail("type: unknown event type '" + EventFields.abbreviate(r.type)
                    + "'; expected prediction, label, training or metric");
        };
    }

    /** A prediction: a version of at most the name length, a latency >= 0, and something predicted (or an error). */
    private Event prediction(RawEvent r, long ts) {
        if (r.version != null && (r.version.isEmpty() || r.version.length() > IngestLimits.MAX_NAME_LENGTH)) {
            return r.fail("version: must be 1 to " + IngestLimits.MAX_NAME_LENGTH + " characters");
        }
        if (r.latency != null && !(Double.isFinite(r.latency) && r.latency >= 0)) {
            return r.fail("latency_ms: must be a finite number >= 0, got " + r.latency);
        }
        if (r.prediction == null && r.score == null && r.scores == null && r.error == null) {
            return r.fail("prediction: required (or score, scores, or error for a failed inference)");
        }
        if (r.score != null && r.scores != null) {
            return r.fail("score and scores: send score for a binary model or scores for a multiclass one, not both");
        }
        return new PredictionEvent(r.model, r.id, r.version == null ? PredictionEvent.DEFAULT_VERSION : r.version,
                ts, r.features, r.prediction, r.score, r.scores, r.latency == null ? Double.NaN : r.latency,
                r.error, r.segments);
    
    }

    /** A label: the id of its prediction and a finite number or a string. */
    private Event label(RawEvent r, long ts) {
        if (r.id == null) {
            return r.fail("id: required to join the label to its prediction");
        }
        if (r.label == null) {
            return r.fail("label: required (a number or a string)");
        }
        if (r.label instanceof Double d && !Double.isFinite(d)) {
            return r.fail("label: must be finite, got " + d);
        }
        return new LabelEvent(r.model, r.id, ts, r.label);
    
    }

    /** A training step: its run, a step and an epoch that are integers a double holds exactly. */
    private Event training(RawEvent r, long ts) {
        if (r.run == null) {
            return r.fail("run: required");
        }
        if (r.step == null || !Double.isFinite(r.step) || r.step < 0 || r.step != Math.rint(r.step)) {
            return r.fail("step: required, a finite integer >= 0" + (r.step == null ? "" : ", got " + r.step));
        }
        if (r.step > MAX_EXACT_INTEGER) {
            return r.fail("step: at most " + (long) MAX_EXACT_INTEGER + " (2^53, the largest integer a JSON number "
                    + "holds exactly), got " + r.step);
        }
        Long epoch = null;
        if (r.epoch != null) {
            if (!Double.isFinite(r.epoch) || r.epoch < 0) {
                return r.fail("epoch: must be a finite number >= 0, got " + r.epoch);
            }
            if (r.epoch > MAX_EXACT_INTEGER) {
                return r.fail("epoch: at most " + (long) MAX_EXACT_INTEGER + " (2^53), got " + r.epoch);
            }
            epoch = (long) Math.floor(r.epoch);
        }
        return new TrainingEvent(r.model, r.run, (long) (double) r.step, epoch, ts,
                r.metrics == null ? Map.of() : r.metrics);
    
    }

    /** A metric sample: a Prometheus-style name, a value, and the model it belongs to if any. */
    private Event metric(RawEvent r, long ts) {
        if (r.name == null) {
            return r.fail("name: required");
        }
        if (!METRIC_NAME.matcher(r.name).matches()) {
            return r.fail("name: '" + EventFields.abbreviate(r.name) + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
        }
        if (r.value == null) {
            return r.fail("value: required (a number; NaN and Infinity allowed)");
        }
        if (r.model != null && !ModelNames.isModelName(r.model)) {
            return r.fail("model: '" + EventFields.abbreviate(r.model) + "' " + ModelNames.modelNameProblem(r.model));
        }
        return new MetricEvent(r.name, r.value, r.model, r.labels, ts);
    
    }
}
