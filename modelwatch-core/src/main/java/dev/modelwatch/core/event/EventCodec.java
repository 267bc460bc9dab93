package dev.modelwatch.core.event;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compact binary form of validated events, used by the durable ingest log. The form is
 * versioned by a leading byte so that an old log can still be replayed after an upgrade.
 */
public final class EventCodec {
    private static final byte FORMAT_VERSION = 1;
    private static final byte PREDICTION = 1;
    private static final byte LABEL = 2;
    private static final byte TRAINING = 3;
    private static final byte METRIC = 4;

    private static final byte V_NULL = 0;
    private static final byte V_DOUBLE = 1;
    private static final byte V_STRING = 2;

    private EventCodec() {
    }

    /** Encodes a batch of events as one record. */
    public static byte[] encode(List<? extends Event> events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * Math.max(1, events.size()));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeInt(events.size());
            for (Event e : events) {
                write(out, e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Decodes a record written by {@link #encode(List)}. */
    public static List<Event> decode(byte[] record) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(record))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown event log format version " + version);
            }
            int n = in.readInt();
            List<Event> events = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                events.add(read(in));
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(DataOutputStream out, Event event) throws IOException {
        if (event instanceof PredictionEvent p) {
                out.writeByte(PREDICTION);
                writeString(out, p.model());
                writeNullableString(out, p.id());
                writeString(out, p.version());
                out.writeLong(p.timestampMs());
                out.writeInt(p.features().size());
                for (Map.Entry<String, Object> f : p.features().entrySet()) {
                    writeString(out, f.getKey());
                    writeValue(out, f.getValue());
                }
                writeValue(out, p.prediction());
                writeValue(out, p.score());
                if (p.scores() == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(p.scores().size());
                    for (Map.Entry<String, Double> s : p.scores().entrySet()) {
                        writeString(out, s.getKey());
                        out.writeDouble(s.getValue());
                    }
                }
                out.writeDouble(p.latencyMs());
                writeNullableString(out, p.error());
                writeStringMap(out, p.segments());
        } else if (event instanceof LabelEvent l) {
                out.writeByte(LABEL);
                writeString(out, l.model());
                writeString(out, l.id());
                out.writeLong(l.timestampMs());
                writeValue(out, l.label());
        } else if (event instanceof TrainingEvent t) {
                out.writeByte(TRAINING);
                writeString(out, t.model());
                writeString(out, t.run());
                out.writeLong(t.step());
                out.writeLong(t.epoch() == null ? Long.MIN_VALUE : t.epoch());
                out.writeLong(t.timestampMs());
                out.writeInt(t.metrics().size());
                for (Map.Entry<String, Double> m : t.metrics().entrySet()) {
                    writeString(out, m.getKey());
                    out.writeDouble(m.getValue());
                }
        } else if (event instanceof MetricEvent m) {
                out.writeByte(METRIC);
                writeString(out, m.name());
                out.writeDouble(m.value());
                writeNullableString(out, m.model());
                writeStringMap(out, m.labels());
                out.writeLong(m.timestampMs());
        }
    }

    private static Event read(DataInputStream in) throws IOException {
        byte type = in.readByte();
        switch (type) {
            case PREDICTION -> {
                String model = readString(in);
                String id = readNullableString(in);
                String version = readString(in);
                long ts = in.readLong();
                int nf = in.readInt();
                Map<String, Object> features = new LinkedHashMap<>(Math.max(4, nf * 2));
                for (int i = 0; i < nf; i++) {
                    features.put(readString(in), readValue(in));
                }
                Object prediction = readValue(in);
                Double score = (Double) readValue(in);
                int ns = in.readInt();
                Map<String, Double> scores = null;
                if (ns >= 0) {
                    scores = new LinkedHashMap<>();
                    for (int i = 0; i < ns; i++) {
                        scores.put(readString(in), in.readDouble());
                    }
                }
                double latency = in.readDouble();
                String error = readNullableString(in);
                Map<String, String> segments = readStringMap(in);
                return new PredictionEvent(model, id, version, ts, features, prediction, score, scores, latency,
                        error, segments);
            }
            case LABEL -> {
                String model = readString(in);
                String id = readString(in);
                long ts = in.readLong();
                return new LabelEvent(model, id, ts, readValue(in));
            }
            case TRAINING -> {
                String model = readString(in);
                String run = readString(in);
                long step = in.readLong();
                long epoch = in.readLong();
                long ts = in.readLong();
                int n = in.readInt();
                Map<String, Double> metrics = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    metrics.put(readString(in), in.readDouble());
                }
                return new TrainingEvent(model, run, step, epoch == Long.MIN_VALUE ? null : epoch, ts, metrics);
            }
            case METRIC -> {
                String name = readString(in);
                double value = in.readDouble();
                String model = readNullableString(in);
                Map<String, String> labels = readStringMap(in);
                long ts = in.readLong();
                return new MetricEvent(name, value, model, labels, ts);
            }
            default -> throw new IllegalArgumentException("unknown event type byte " + type);
        }
    }

    private static void writeValue(DataOutputStream out, Object v) throws IOException {
        if (v == null) {
            out.writeByte(V_NULL);
        } else if (v instanceof Double d) {
            out.writeByte(V_DOUBLE);
            out.writeDouble(d);
        } else {
            out.writeByte(V_STRING);
            writeString(out, (String) v);
        }
    }

    private static Object readValue(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case V_NULL -> null;
            case V_DOUBLE -> in.readDouble();
            case V_STRING -> readString(in);
            default -> throw new IllegalArgumentException("unknown value tag " + tag);
        };
    }

    private static void writeStringMap(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    private static Map<String, String> readStringMap(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == 0) {
            return Map.of();
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            map.put(readString(in), readString(in));
        }
        return map;
    }

    private static void writeNullableString(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    private static String readNullableString(DataInputStream in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
