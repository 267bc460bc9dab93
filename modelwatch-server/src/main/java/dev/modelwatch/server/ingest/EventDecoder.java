package dev.modelwatch.server.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.modelwatch.core.event.ClassNames;
import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.event.TrainingEvent;
import java.io.IOException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decodes request bodies into validated events, once, at the edge. A body that cannot be read as
 * a whole raises {@link BodyException}; an event that is readable but invalid is rejected alone,
 * with the field and the reason, and the valid events of the same body are kept.
 *
 * <p>Numbers are parsed with Jackson's fast double parser; bare {@code NaN}/{@code Infinity}
 * tokens and the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} are read as the
 * non-finite doubles they name, accepted where a value may be non-finite (features, scores,
 * training and metric values) and rejected where it must be finite.
 */
public final class EventDecoder {
    /** The largest integer a double holds exactly; larger steps and epochs would be stored rounded or clamped. */
    private static final double MAX_EXACT_INTEGER = 9_007_199_254_740_992.0;
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]{0,199}");

    private final JsonFactory factory;
    private final IngestLimits limits;
    private final Clock clock;

    public EventDecoder(IngestLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.factory = JsonFactory.builder()
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(IngestLimits.MAX_NESTING_DEPTH)
                        .maxStringLength(Math.max(1 << 20, (int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytes())))
                        .build())
                .build();
    }

    /** Decodes a JSON body: one event object or an array of event objects. */
    public DecodedBatch decodeJson(byte[] body) {
        return decodeJson(body, clock.millis());
    }

    /** Decodes newline-delimited JSON received now. */
    public DecodedBatch decodeNdjson(byte[] body) {
        return decodeNdjson(body, clock.millis());
    }

    /**
     * Decodes a JSON body as if received at {@code now} (events without a timestamp get it), so
     * that a body replayed from the ingest log decodes to the same events.
     */
    public DecodedBatch decodeJson(byte[] body, long now) {
        List<Event> events = new ArrayList<>();
        List<DecodedBatch.EventError> errors = new ArrayList<>();
        int index = 0;
        try (JsonParser p = factory.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new BodyException(400, "empty body: expected an event object or an array of events");
            }
            if (t == JsonToken.START_OBJECT) {
                add(decodeOne(p, now), 0, events, errors);
                index = 1;
            } else if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new BodyException(400, "truncated body: the array is not closed");
                    }
                    if (index >= limits.maxEventsPerRequest()) {
                        throw new BodyException(413, "more than " + limits.maxEventsPerRequest()
                                + " events in one request (ingest.max_events_per_request)");
                    }
                    if (t == JsonToken.START_OBJECT) {
                        add(decodeOne(p, now), index, events, errors);
                    } else {
                        errors.add(new DecodedBatch.EventError(index, "event must be a JSON object, got " + describe(t)));
                        p.skipChildren();
                    }
                    index++;
                }
            } else {
                throw new BodyException(400, "body must be an event object or an array of events, got " + describe(t));
            }
            if (p.nextToken() != null) {
                throw new BodyException(400, "unexpected data after the JSON value at line "
                        + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr());
            }
        } catch (StreamConstraintsException e) {
            throw new BodyException(400, "body exceeds a JSON limit: " + e.getOriginalMessage());
        } catch (JsonParseException e) {
            throw new BodyException(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BodyException(400, "unreadable body: " + e.getMessage());
        }
        return new DecodedBatch(events, errors, index);
    }

    /**
     * Decodes newline-delimited JSON: one event object per non-blank line. A line that is not
     * valid JSON rejects that event only; {@code index} counts non-blank lines from 0.
     */
    public DecodedBatch decodeNdjson(byte[] body, long now) {
        DecodedBatch fast = decodeNdjsonStream(body, now);
        return fast != null ? fast : decodeNdjsonLines(body, now);
    }

    /**
     * The common case in one parser over the whole body: one complete object per line. Returns
     * null at anything else (a malformed line, two values on a line, an object across lines, a
     * value that is not an object), and the line-by-line decoder then gives each line its verdict.
     */
    private DecodedBatch decodeNdjsonStream(byte[] body, long now) {
        List<Event> events = new ArrayList<>();
        List<DecodedBatch.EventError> errors = new ArrayList<>();
        int index = 0;
        int lastLine = -1;
        try (JsonParser p = factory.createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int line = p.currentTokenLocation().getLineNr();
                if (t != JsonToken.START_OBJECT || line == lastLine) {
                    return null;
                }
                if (index >= limits.maxEventsPerRequest()) {
                    throw new BodyException(413, "more than " + limits.maxEventsPerRequest()
                            + " events in one request (ingest.max_events_per_request)");
                }
                Object decoded = decodeOne(p, now);
                lastLine = p.currentLocation().getLineNr();
                if (lastLine != line) {
                    return null;
                }
                add(decoded, index++, events, errors);
            }
        } catch (IOException e) {
            return null;
        }
        return index == 0 ? null : new DecodedBatch(events, errors, index);
    }

    private DecodedBatch decodeNdjsonLines(byte[] body, long now) {
        List<Event> events = new ArrayList<>();
        List<DecodedBatch.EventError> errors = new ArrayList<>();
        int index = 0;
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i < body.length && body[i] != '\n') {
                continue;
            }
            int end = i;
            if (end > start && body[end - 1] == '\r') {
                end--;
            }
            if (!isBlank(body, start, end)) {
                if (index >= limits.maxEventsPerRequest()) {
                    throw new BodyException(413, "more than " + limits.maxEventsPerRequest()
                            + " events in one request (ingest.max_events_per_request)");
                }
                decodeLine(body, start, end - start, index, now, events, errors);
                index++;
            }
            start = i + 1;
        }
        if (index == 0) {
            throw new BodyException(400, "empty body: expected one event object per line");
        }
        return new DecodedBatch(events, errors, index);
    }

    private void decodeLine(byte[] body, int offset, int length, int index, long now, List<Event> events,
                            List<DecodedBatch.EventError> errors) {
        try (JsonParser p = factory.createParser(body, offset, length)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                errors.add(new DecodedBatch.EventError(index, "line must be an event object, got " + describe(t)));
                return;
            }
            Object decoded = decodeOne(p, now);
            if (p.nextToken() != null) {
                decoded = "unexpected data after the event object on this line";
            }
            add(decoded, index, events, errors);
        } catch (StreamConstraintsException e) {
            errors.add(new DecodedBatch.EventError(index, "event exceeds a JSON limit: " + e.getOriginalMessage()));
        } catch (JsonParseException e) {
            errors.add(new DecodedBatch.EventError(index, "malformed JSON at column " + e.getLocation().getColumnNr()
                    + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            errors.add(new DecodedBatch.EventError(index, "unreadable line: " + e.getMessage()));
        }
    }

    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    private static void add(Object decoded, int index, List<Event> events, List<DecodedBatch.EventError> errors) {
        if (decoded instanceof Event e) {
            events.add(e);
        } else {
            errors.add(new DecodedBatch.EventError(index, (String) decoded));
        }
    }

    /** Reads the event object whose START_OBJECT is the current token: the event, or why it is rejected. */
    private Object decodeOne(JsonParser p, long now) throws IOException {
        RawEvent raw = new RawEvent();
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "type" -> raw.type = text(p, t, "type", raw);
                case "model" -> raw.model = text(p, t, "model", raw);
                case "id" -> raw.id = idText(p, t, raw);
                case "version" -> raw.version = text(p, t, "version", raw);
                case "timestamp" -> raw.timestamp = timestamp(p, t, raw);
                case "features" -> raw.features = features(p, t, raw);
                case "prediction" -> raw.prediction = scalar(p, t, "prediction", raw);
                case "score" -> raw.score = number(p, t, "score", raw);
                case "scores" -> raw.scores = numberMap(p, t, "scores", raw, IngestLimits.MAX_CLASSES);
                case "latency_ms" -> raw.latency = number(p, t, "latency_ms", raw);
                case "error" -> raw.error = text(p, t, "error", raw);
                case "segments" -> raw.segments = stringMap(p, t, "segments", raw, IngestLimits.MAX_SEGMENTS);
                case "label" -> raw.label = scalar(p, t, "label", raw);
                case "run" -> raw.run = idText(p, t, raw, "run");
                case "step" -> raw.step = number(p, t, "step", raw);
                case "epoch" -> raw.epoch = number(p, t, "epoch", raw);
                case "metrics" -> raw.metrics = numberMap(p, t, "metrics", raw, limits.maxFeatures());
                case "name" -> raw.name = text(p, t, "name", raw);
                case "value" -> raw.value = number(p, t, "value", raw);
                case "labels" -> raw.labels = stringMap(p, t, "labels", raw, IngestLimits.MAX_SEGMENTS);
                default -> p.skipChildren();
            }
        }
        Event e = raw.problem == null ? build(raw, now) : null;
        if (e != null) {
            String unstorable = StorableText.problem(e);
            if (unstorable != null) {
                return unstorable;
            }
        }
        return e != null ? e : raw.problem;
    }

    /**
     * A JSON factory configured as the event decoder's (fast doubles, NaN tokens, nesting limit), for
     * readers of other bodies made of the same values, such as reference rows.
     */
    public JsonFactory jsonFactory() {
        return factory;
    }

    /**
     * One row of a reference data set, read with the same rules as a prediction event's fields:
     * {@code features}, {@code prediction}, {@code score}, {@code scores}, {@code label}; other fields
     * are ignored. The parser stands on the row's START_OBJECT.
     *
     * @return the row, or the problem that rejects it (the row is consumed either way)
     */
    public ReferenceRow decodeReferenceRow(JsonParser p) throws IOException {
        RawEvent raw = new RawEvent();
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "features" -> raw.features = features(p, t, raw);
                case "prediction" -> raw.prediction = scalar(p, t, "prediction", raw);
                case "score" -> raw.score = number(p, t, "score", raw);
                case "scores" -> raw.scores = numberMap(p, t, "scores", raw, IngestLimits.MAX_CLASSES);
                case "label" -> raw.label = scalar(p, t, "label", raw);
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
        return new ReferenceRow(raw.features == null ? Map.of() : raw.features, raw.prediction, raw.score, raw.scores,
                raw.label, raw.problem);
    }

    /**
     * A decoded reference row; {@code problem} is null for a valid one.
     *
     * @param features a {@link FeatureVector} as for prediction events
     */
    public record ReferenceRow(Map<String, Object> features, Object prediction, Double score,
                               Map<String, Double> scores, Object label, String problem) {
    }

    private Event build(RawEvent r, long now) {
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
            if (!isModelName(r.model)) {
                return r.fail("model: '" + abbreviate(r.model) + "' " + modelNameProblem(r.model));
            }
        }
        switch (r.type) {
            case "prediction" -> {
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
            case "label" -> {
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
            case "training" -> {
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
            case "metric" -> {
                if (r.name == null) {
                    return r.fail("name: required");
                }
                if (!METRIC_NAME.matcher(r.name).matches()) {
                    return r.fail("name: '" + abbreviate(r.name) + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
                }
                if (r.value == null) {
                    return r.fail("value: required (a number; NaN and Infinity allowed)");
                }
                if (r.model != null && !isModelName(r.model)) {
                    return r.fail("model: '" + abbreviate(r.model) + "' " + modelNameProblem(r.model));
                }
                return new MetricEvent(r.name, r.value, r.model, r.labels, ts);
            }
            default -> {
                return r.fail("type: unknown event type '" + abbreviate(r.type)
                        + "'; expected prediction, label, training or metric");
            }
        }
    }

    // ---- field readers: each records a problem on the raw event and consumes the value ----

    private static String text(JsonParser p, JsonToken t, String field, RawEvent r) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (s.length() > IngestLimits.MAX_STRING_VALUE_LENGTH) {
                r.fail(field + ": longer than " + IngestLimits.MAX_STRING_VALUE_LENGTH + " characters");
                return null;
            }
            return s;
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        r.fail(field + ": must be a string, got " + describe(t));
        p.skipChildren();
        return null;
    }

    private static String idText(JsonParser p, JsonToken t, RawEvent r) throws IOException {
        return idText(p, t, r, "id");
    }

    private static String idText(JsonParser p, JsonToken t, RawEvent r, String field) throws IOException {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
            String s = p.getText();
            if (s.isEmpty() || s.length() > IngestLimits.MAX_ID_LENGTH) {
                r.fail(field + ": must be 1 to " + IngestLimits.MAX_ID_LENGTH + " characters");
                return null;
            }
            return s;
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        r.fail(field + ": must be a string, got " + describe(t));
        p.skipChildren();
        return null;
    }

    private static Long timestamp(JsonParser p, JsonToken t, RawEvent r) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            double v = p.getDoubleValue();
            if (!Double.isFinite(v) || Math.abs(v) > 1e15) {
                r.fail("timestamp: must be a finite epoch-millisecond number or an RFC 3339 string, got " + p.getText());
                return null;
            }
            return (long) Math.floor(v);
        }
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                r.fail("timestamp: '" + abbreviate(s) + "' is not an RFC 3339 time like 2026-11-22T10:00:00Z");
                return null;
            }
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        r.fail("timestamp: must be an RFC 3339 string or epoch milliseconds, got " + describe(t));
        p.skipChildren();
        return null;
    }

    /** A number, allowing NaN and infinities (bare tokens or strings); null for JSON null. */
    private static Double number(JsonParser p, JsonToken t, String field, RawEvent r) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            Double special = nonFinite(p.getText());
            if (special != null) {
                return special;
            }
            r.fail(field + ": must be a number, got the string '" + abbreviate(p.getText()) + "'");
            return null;
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        r.fail(field + ": must be a number, got " + describe(t));
        p.skipChildren();
        return null;
    }

    /** A prediction or label: a number, a string, or a boolean (read as "true"/"false"). */
    private static Object scalar(JsonParser p, JsonToken t, String field, RawEvent r) throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_STRING -> {
                String s = p.getText();
                Double special = nonFinite(s);
                if (special != null) {
                    return special;
                }
                if (s.length() > IngestLimits.MAX_STRING_VALUE_LENGTH) {
                    r.fail(field + ": longer than " + IngestLimits.MAX_STRING_VALUE_LENGTH + " characters");
                    return null;
                }
                return s;
            }
            case VALUE_TRUE -> {
                return "true";
            }
            case VALUE_FALSE -> {
                return "false";
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> {
                r.fail(field + ": must be a number, string or boolean, got " + describe(t));
                p.skipChildren();
                return null;
            }
        }
    }

    private Map<String, Object> features(JsonParser p, JsonToken t, RawEvent r) throws IOException {
        if (!isObject(p, t, "features", "value", r)) {
            return null;
        }
        FeatureVector.Builder out = FeatureVector.builder(32);
        int n = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            n++;
            if (n > limits.maxFeatures()) {
                p.skipChildren();
                continue;
            }
            if (name.isEmpty() || name.length() > IngestLimits.MAX_FEATURE_NAME_LENGTH) {
                r.fail("features: a feature name must be 1 to " + IngestLimits.MAX_FEATURE_NAME_LENGTH + " characters");
                p.skipChildren();
                continue;
            }
            switch (v) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.number(name, p.getDoubleValue());
                case VALUE_STRING -> {
                    String s = p.getText();
                    Double special = nonFinite(s);
                    if (special != null) {
                        out.number(name, special);
                    } else if (s.length() > IngestLimits.MAX_STRING_VALUE_LENGTH) {
                        r.fail("features." + abbreviate(name) + ": string longer than "
                                + IngestLimits.MAX_STRING_VALUE_LENGTH + " characters");
                    } else {
                        out.string(name, s);
                    }
                }
                case VALUE_TRUE -> out.string(name, "true");
                case VALUE_FALSE -> out.string(name, "false");
                case VALUE_NULL -> out.missing(name);
                default -> {
                    r.fail("features." + abbreviate(name) + ": must be a number, string, boolean or null, got "
                            + describe(v));
                    p.skipChildren();
                }
            }
        }
        if (n > limits.maxFeatures()) {
            r.fail("features: " + n + " features exceed the limit of " + limits.maxFeatures() + " (ingest.max_features)");
        }
        String repeated = out.repeatedName();
        if (repeated != null) {
            r.fail("features." + abbreviate(repeated) + ": given more than once");
        }
        return out.build();
    }

    /**
     * Whether the current token starts an object to read; null is "absent", anything else a
     * problem of {@code field} (consumed).
     */
    private static boolean isObject(JsonParser p, JsonToken t, String field, String valueKind, RawEvent r)
            throws IOException {
        if (t == JsonToken.START_OBJECT) {
            return true;
        }
        if (t != JsonToken.VALUE_NULL) {
            r.fail(field + ": must be an object of name to " + valueKind + ", got " + describe(t));
            p.skipChildren();
        }
        return false;
    }

    private static Map<String, Double> numberMap(JsonParser p, JsonToken t, String field, RawEvent r, int max)
            throws IOException {
        if (!isObject(p, t, field, "number", r)) {
            return null;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            if (out.size() >= max) {
                r.fail(field + ": more than " + max + " entries");
                p.skipChildren();
                continue;
            }
            Double d = number(p, v, field + "." + abbreviate(name), r);
            if (d != null) {
                out.put(name, d);
            }
        }
        return out;
    }

    private static Map<String, String> stringMap(JsonParser p, JsonToken t, String field, RawEvent r, int max)
            throws IOException {
        if (!isObject(p, t, field, "string", r)) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            if (out.size() >= max) {
                r.fail(field + ": more than " + max + " entries");
                p.skipChildren();
                continue;
            }
            if (name.isEmpty() || name.length() > IngestLimits.MAX_NAME_LENGTH || name.indexOf(':') >= 0) {
                r.fail(field + ": a key must be 1 to " + IngestLimits.MAX_NAME_LENGTH + " characters without ':'");
                p.skipChildren();
                continue;
            }
            String s;
            switch (v) {
                case VALUE_STRING -> s = p.getText();
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> s = ClassNames.of(p.getDoubleValue());
                case VALUE_TRUE -> s = "true";
                case VALUE_FALSE -> s = "false";
                default -> {
                    r.fail(field + "." + abbreviate(name) + ": must be a string, got " + describe(v));
                    p.skipChildren();
                    continue;
                }
            }
            if (s.isEmpty() || s.length() > IngestLimits.MAX_NAME_LENGTH) {
                r.fail(field + "." + abbreviate(name) + ": must be 1 to " + IngestLimits.MAX_NAME_LENGTH + " characters");
                continue;
            }
            out.put(name, s);
        }
        return out;
    }

    /** Why {@code s} cannot be a model name ("must match ..."), or null when it can. */
    public static String modelNameProblem(String s) {
        if (isModelName(s)) {
            return null;
        }
        return s.equals(".") || s.equals("..") ? "must not be '.' or '..' (path segments that URLs resolve away)"
                : "must match [A-Za-z0-9_.-]{1,128}";
    }

    /**
     * {@code [A-Za-z0-9_.-]{1,128}} but not {@code .} or {@code ..} (path segments that URLs and file
     * systems resolve away), checked without a regex (it runs for every event).
     */
    public static boolean isModelName(String s) {
        int n = s.length();
        if (n == 0 || n > 128 || s.equals(".") || s.equals("..")) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@code NaN}, {@code Infinity} and their spellings as the numbers they name; null for any other string. */
    public static Double nonFinite(String s) {
        switch (s) {
            case "NaN", "nan" -> {
                return Double.NaN;
            }
            case "Infinity", "+Infinity", "inf", "+inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Infinity", "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
                return null;
            }
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    /** Fields of one event as read; the first problem found wins. */
    private static final class RawEvent {
        String type;
        String model;
        String id;
        String version;
        Long timestamp;
        Map<String, Object> features;
        Object prediction;
        Double score;
        Map<String, Double> scores;
        Double latency;
        String error;
        Map<String, String> segments;
        Object label;
        String run;
        Double step;
        Double epoch;
        Map<String, Double> metrics;
        String name;
        Double value;
        Map<String, String> labels;
        String problem;

        Event fail(String why) {
            if (problem == null) {
                problem = why;
            }
            return null;
        }
    }
}
