package dev.modelwatch.server.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.FeatureVector;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes request bodies into validated events, once, at the edge. A body that cannot be read as
 * a whole raises {@link BodyException}; an event that is readable but invalid is rejected alone,
 * with the field and the reason, and the valid events of the same body are kept.
 *
 * <p>Numbers are parsed with Jackson's fast double parser; bare {@code NaN}/{@code Infinity}
 * tokens and the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} are read as the
 * non-finite doubles they name, accepted where a value may be non-finite (features, scores,
 * training and metric values) and rejected where it must be finite.
 *
 * <p>This class frames bodies (one object, an array, NDJSON lines); each event object is read by
 * {@link EventReader} with the field readers of {@link EventFields} and {@link EventObjectFields},
 * then checked by the {@link EventRules} of its kind.
 */
public final class EventDecoder {
    private final JsonFactory factory;
    private final IngestLimits limits;
    private final Clock clock;
    private final EventReader reader;

    public EventDecoder(IngestLimits limits, Clock clock) {
        this(limits, clock, true);
    }

    /**
     * A decoder whose events carry their own copies of model names, versions and segment maps
     * instead of the instances the server's decoders keep for the aggregation thread
     * ({@link DecodedValues}): the decoding work alone, as the ingest benchmark's ceiling measures it.
     */
    public static EventDecoder withoutKeptValues(IngestLimits limits, Clock clock) {
        return new EventDecoder(limits, clock, false);
    }

    private EventDecoder(IngestLimits limits, Clock clock, boolean keepValues) {
        this.limits = limits;
        this.clock = clock;
        this.reader = new EventReader(limits, keepValues);
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
                add(reader.event(p, now), 0, events, errors);
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
                        add(reader.event(p, now), index, events, errors);
                    } else {
                        errors.add(new DecodedBatch.EventError(index, "event must be a JSON object, got " + EventFields.describe(t)));
                        p.skipChildren();
                    }
                    index++;
                }
            } else {
                throw new BodyException(400, "body must be an event object or an array of events, got " + EventFields.describe(t));
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
                Object decoded = reader.event(p, now);
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
                errors.add(new DecodedBatch.EventError(index, "line must be an event object, got " + EventFields.describe(t)));
                return;
            }
            Object decoded = reader.event(p, now);
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
        return reader.referenceRow(p);
    }

    /**
     * A decoded reference row; {@code problem} is null for a valid one.
     *
     * @param features a {@link FeatureVector} as for prediction events
     */
    public record ReferenceRow(Map<String, Object> features, Object prediction, Double score,
                               Map<String, Double> scores, Object label, String problem) {
    }

    /** Why {@code s} cannot be a model name ("must match ..."), or null when it can ({@link ModelNames}). */
    public static String modelNameProblem(String s) {
        return ModelNames.modelNameProblem(s);
    }

    /** Whether {@code s} is a model name ({@link ModelNames}). */
    public static boolean isModelName(String s) {
        return ModelNames.isModelName(s);
    }

    /** {@code NaN}, {@code Infinity} and their spellings as the numbers they name; null for any other string. */
    public static Double nonFinite(String s) {
        return EventFields.nonFinite(s);
    }
}
