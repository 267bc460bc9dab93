package dev.modelwatch.server.ingest;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.event.TrainingEvent;
import java.util.Map;

/**
 * The one rule for text that storage must hold, the same for every database: no NUL character
 * (U+0000: PostgreSQL refuses it in any text column, and one such event failed every later commit)
 * and no unpaired UTF-16 surrogate (a JSON escape such as {@code "\ud800"} alone is no Unicode
 * character: PostgreSQL's UTF8 and MySQL's utf8mb4 cannot hold it, and Java's encoders would
 * silently write {@code ?} instead). Lengths are checked where each field is read
 * ({@link IngestLimits}: names 128, ids and runs 256, the column sizes of the migrations).
 *
 * <p>Checked for every string of an event at ingest, so that a rejected event names its field.
 */
public final class StorableText {
    private StorableText() {
    }

    /** Why {@code s} cannot be stored, or null when it can (and for null). */
    public static String problem(String s) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "contains a NUL character (U+0000) at position " + i + ", which storage cannot hold";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return unpaired(c, i);
            }
            if (Character.isLowSurrogate(c)) {
                return unpaired(c, i);
            }
        }
        return null;
    }

    private static String unpaired(char c, int i) {
        return String.format("contains an unpaired surrogate (U+%04X) at position %d, which is no Unicode character "
                + "and cannot be stored as UTF-8", (int) c, i);
    }

    /** Why an event cannot be stored, as {@code "field: reason"}, or null when it can. */
    public static String problem(Event e) {
        if (e instanceof PredictionEvent p) {
            return first(check("id", p.id()), check("version", p.version()), features(p.features()),
                    p.prediction() instanceof String s ? check("prediction", s) : null, keys("scores", p.scores()),
                    check("error", p.error()), strings("segments", p.segments()));
        }
        if (e instanceof LabelEvent l) {
            return first(check("id", l.id()), l.label() instanceof String s ? check("label", s) : null);
        }
        if (e instanceof TrainingEvent t) {
            return first(check("run", t.run()), keys("metrics", t.metrics()));
        }
        if (e instanceof MetricEvent m) {
            return strings("labels", m.labels());
        }
        return null;
    }

    private static String check(String field, String value) {
        String p = problem(value);
        return p == null ? null : field + ": " + p;
    }

    private static String first(String... problems) {
        for (String p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static String features(Map<String, Object> features) {
        if (features instanceof FeatureVector v) {
            for (int i = 0; i < v.size(); i++) {
                String p = name("features", v.name(i));
                if (p == null && v.kind(i) == FeatureVector.STRING) {
                    p = check("features." + shown(v.name(i)), v.string(i));
                }
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        for (Map.Entry<String, Object> f : features.entrySet()) {
            String p = name("features", f.getKey());
            if (p == null && f.getValue() instanceof String s) {
                p = check("features." + shown(f.getKey()), s);
            }
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static String keys(String field, Map<String, ?> map) {
        if (map == null) {
            return null;
        }
        for (String k : map.keySet()) {
            String p = name(field, k);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static String strings(String field, Map<String, String> map) {
        if (map == null) {
            return null;
        }
        for (Map.Entry<String, String> e : map.entrySet()) {
            String p = name(field, e.getKey());
            if (p == null) {
                p = check(field + "." + shown(e.getKey()), e.getValue());
            }
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static String name(String field, String name) {
        String p = problem(name);
        return p == null ? null : field + ": a name " + p;
    }

    /** A name as shown in a message: NUL and lone surrogates escaped, at most 64 characters. */
    private static String shown(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c == 0 || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.length() < 64 ? b.toString() : b.substring(0, 61) + "...";
    }
}
