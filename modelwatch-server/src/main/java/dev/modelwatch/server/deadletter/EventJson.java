package dev.modelwatch.server.deadletter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.event.TrainingEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Writes events back in the ingest format of the public API ({@code POST /api/v1/events}), one JSON
 * object per line: what the dead-letter files hold, so that they can be read by a person and sent
 * to the server again as they are. Numbers that are not finite are written as the strings
 * {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}, which ingest reads back as the same values.
 */
final class EventJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJson() {
    }

    /** Writes {@code e} as one line of NDJSON. */
    static void writeLine(Event e, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            if (e instanceof PredictionEvent p) {
                prediction(p, g);
            } else if (e instanceof LabelEvent l) {
                g.writeStringField("type", "label");
                g.writeStringField("model", l.model());
                g.writeStringField("id", l.id());
                g.writeNumberField("timestamp", l.timestampMs());
                g.writeFieldName("label");
                scalar(l.label(), g);
            } else if (e instanceof TrainingEvent t) {
                g.writeStringField("type", "training");
                g.writeStringField("model", t.model());
                g.writeStringField("run", t.run());
                g.writeNumberField("step", t.step());
                if (t.epoch() != null) {
                    g.writeNumberField("epoch", t.epoch());
                }
                g.writeNumberField("timestamp", t.timestampMs());
                numbers("metrics", t.metrics(), g);
            } else {
                MetricEvent m = (MetricEvent) e;
                g.writeStringField("type", "metric");
                g.writeStringField("name", m.name());
                g.writeFieldName("value");
                number(m.value(), g);
                if (m.model() != null) {
                    g.writeStringField("model", m.model());
                }
                strings("labels", m.labels(), g);
                g.writeNumberField("timestamp", m.timestampMs());
            }
            g.writeEndObject();
        }
        out.write('\n');
    }

    private static void prediction(PredictionEvent p, JsonGenerator g) throws IOException {
        g.writeStringField("type", "prediction");
        g.writeStringField("model", p.model());
        if (p.id() != null) {
            g.writeStringField("id", p.id());
        }
        g.writeStringField("version", p.version());
        g.writeNumberField("timestamp", p.timestampMs());
        g.writeObjectFieldStart("features");
        if (p.features() instanceof FeatureVector v) {
            for (int i = 0; i < v.size(); i++) {
                g.writeFieldName(v.name(i));
                switch (v.kind(i)) {
                    case FeatureVector.NUMBER -> number(v.number(i), g);
                    case FeatureVector.STRING -> g.writeString(v.string(i));
                    default -> g.writeNull();
                }
            }
        } else {
            for (Map.Entry<String, Object> f : p.features().entrySet()) {
                g.writeFieldName(f.getKey());
                scalar(f.getValue(), g);
            }
        }
        g.writeEndObject();
        if (p.prediction() != null) {
            g.writeFieldName("prediction");
            scalar(p.prediction(), g);
        }
        if (p.score() != null) {
            g.writeFieldName("score");
            number(p.score(), g);
        }
        numbers("scores", p.scores(), g);
        if (!Double.isNaN(p.latencyMs())) {
            g.writeNumberField("latency_ms", p.latencyMs());
        }
        if (p.error() != null) {
            g.writeStringField("error", p.error());
        }
        strings("segments", p.segments(), g);
    }

    private static void scalar(Object v, JsonGenerator g) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Double d) {
            number(d, g);
        } else {
            g.writeString(v.toString());
        }
    }

    private static void number(double d, JsonGenerator g) throws IOException {
        if (Double.isNaN(d)) {
            g.writeString("NaN");
        } else if (Double.isInfinite(d)) {
            g.writeString(d > 0 ? "Infinity" : "-Infinity");
        } else {
            g.writeNumber(d);
        }
    }

    private static void numbers(String field, Map<String, Double> map, JsonGenerator g) throws IOException {
        if (map == null || map.isEmpty()) {
            return;
        }
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, Double> e : map.entrySet()) {
            g.writeFieldName(e.getKey());
            number(e.getValue(), g);
        }
        g.writeEndObject();
    }

    private static void strings(String field, Map<String, String> map, JsonGenerator g) throws IOException {
        if (map == null || map.isEmpty()) {
            return;
        }
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : map.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
