package dev.modelwatch.core.rules;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The identity of a metric series: an immutable set of {@code name=value} labels sorted by name,
 * the metric name included as the label {@link #METRIC_NAME} ({@code __name__}), as in Prometheus.
 *
 * <p>As in Prometheus a label with an empty value is the same as no label: {@link #of(Map)} drops it.
 * Label names match {@code [a-zA-Z_][a-zA-Z0-9_]*}; a metric name matches
 * {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. Equality, hash code and order ({@link #compareTo}: label by label,
 * names then values, a prefix first) depend only on the labels; the hash is computed once.
 *
 * <p>Usage:
 * <pre>{@code
 * SeriesLabels s = SeriesLabels.of("__name__", "accuracy", "model", "fraud");
 * s.metricName();          // "accuracy"
 * s.withoutMetricName();   // {model="fraud"}
 * }</pre>
 */
public final class SeriesLabels implements Comparable<SeriesLabels> {
    /** The label that holds the metric name. */
    public static final String METRIC_NAME = "__name__";
    /** No labels. */
    public static final SeriesLabels EMPTY = new SeriesLabels(new String[0], new String[0]);

    private final String[] names;
    private final String[] values;
    private final int hash;

    private SeriesLabels(String[] names, String[] values) {
        this.names = names;
        this.values = values;
        this.hash = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    /** The labels of the map, empty values dropped. */
    public static SeriesLabels of(Map<String, String> labels) {
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        String[] n = new String[labels.size()];
        String[] v = new String[labels.size()];
        int size = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("labels: value of '" + e.getKey() + "' must not be null");
            }
            if (!e.getValue().isEmpty()) {
                n[size] = e.getKey();
                v[size] = e.getValue();
                size++;
            }
        }
        return sortedValidated(n, v, size);
    }

    /** The labels {@code name1, value1, name2, value2, ...}, empty values dropped. */
    public static SeriesLabels of(String... namesAndValues) {
        if (namesAndValues == null || namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("namesAndValues must hold name, value pairs");
        }
        int pairs = namesAndValues.length / 2;
        String[] n = new String[pairs];
        String[] v = new String[pairs];
        int size = 0;
        for (int i = 0; i < pairs; i++) {
            String value = namesAndValues[2 * i + 1];
            if (value == null) {
                throw new IllegalArgumentException("namesAndValues: value of '" + namesAndValues[2 * i] + "' must not be null");
            }
            if (!value.isEmpty()) {
                n[size] = namesAndValues[2 * i];
                v[size] = value;
                size++;
            }
        }
        return sortedValidated(n, v, size);
    }

    /** The labels of a series of metric {@code metricName} with {@code labels} (which must not hold {@code __name__}). */
    public static SeriesLabels metric(String metricName, Map<String, String> labels) {
        if (labels.containsKey(METRIC_NAME)) {
            throw new IllegalArgumentException("labels must not hold " + METRIC_NAME + "; it is metricName");
        }
        Map<String, String> all = new LinkedHashMap<>(labels);
        all.put(METRIC_NAME, metricName);
        return of(all);
    }

    private static SeriesLabels sortedValidated(String[] n, String[] v, int size) {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
            if (!isLabelName(n[i])) {
                throw new IllegalArgumentException("label name '" + n[i] + "' must match [a-zA-Z_][a-zA-Z0-9_]*");
            }
        }
        Arrays.sort(order, (a, b) -> n[a].compareTo(n[b]));
        String[] names = new String[size];
        String[] values = new String[size];
        for (int i = 0; i < size; i++) {
            names[i] = n[order[i]];
            values[i] = v[order[i]];
            if (i > 0 && names[i].equals(names[i - 1])) {
                throw new IllegalArgumentException("label '" + names[i] + "' is given twice");
            }
            if (names[i].equals(METRIC_NAME) && !isMetricName(values[i])) {
                throw new IllegalArgumentException("metric name '" + values[i] + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
            }
        }
        return size == 0 ? EMPTY : new SeriesLabels(names, values);
    }

    /** Whether {@code s} is a valid label name, {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    public static boolean isLabelName(String s) {
        return isName(s, false);
    }

    /** Whether {@code s} is a valid metric name, {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
    public static boolean isMetricName(String s) {
        return isName(s, true);
    }

    private static boolean isName(String s, boolean colon) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':')
                    || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The value of label {@code name}, or null when the series has no such label. */
    public String get(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return values[i];
            }
        }
        return null;
    }

    /** The metric name ({@code __name__}), or null. */
    public String metricName() {
        return get(METRIC_NAME);
    }

    public int size() {
        return names.length;
    }

    public boolean isEmpty() {
        return names.length == 0;
    }

    /** The {@code i}-th label name in sorted order. */
    public String name(int i) {
        return names[i];
    }

    /** The value of the {@code i}-th label in sorted order. */
    public String value(int i) {
        return values[i];
    }

    /** These labels without {@code __name__} (this object when it has none). */
    public SeriesLabels withoutMetricName() {
        int i = Arrays.binarySearch(names, METRIC_NAME);
        return i < 0 ? this : remove(i);
    }

    /** These labels without the given names. */
    public SeriesLabels without(Collection<String> dropped) {
        return filter(dropped, false, false);
    }

    /** These labels without the given names, and without {@code __name__} too if {@code alsoMetricName}. */
    SeriesLabels without(Collection<String> dropped, boolean alsoMetricName) {
        return filter(dropped, false, alsoMetricName);
    }

    /** Only the labels whose names are given ({@code __name__} only if it is given). */
    public SeriesLabels keepOnly(Collection<String> kept) {
        return filter(kept, true, false);
    }

    /** These labels with {@code name=value} set ({@code value} empty: removed). */
    public SeriesLabels with(String name, String value) {
        Map<String, String> m = new LinkedHashMap<>(asMap());
        m.put(name, value);
        return of(m);
    }

    private SeriesLabels filter(Collection<String> given, boolean keepGiven, boolean dropName) {
        int kept = 0;
        boolean[] keep = new boolean[names.length];
        for (int i = 0; i < names.length; i++) {
            boolean listed = given.contains(names[i]);
            keep[i] = keepGiven ? listed : !listed && !(dropName && names[i].equals(METRIC_NAME));
            if (keep[i]) {
                kept++;
            }
        }
        if (kept == names.length) {
            return this;
        }
        if (kept == 0) {
            return EMPTY;
        }
        String[] n = new String[kept];
        String[] v = new String[kept];
        for (int i = 0, j = 0; i < names.length; i++) {
            if (keep[i]) {
                n[j] = names[i];
                v[j] = values[i];
                j++;
            }
        }
        return new SeriesLabels(n, v);
    }

    private SeriesLabels remove(int index) {
        if (names.length == 1) {
            return EMPTY;
        }
        String[] n = new String[names.length - 1];
        String[] v = new String[names.length - 1];
        for (int i = 0, j = 0; i < names.length; i++) {
            if (i != index) {
                n[j] = names[i];
                v[j] = values[i];
                j++;
            }
        }
        return new SeriesLabels(n, v);
    }

    /** The labels as an unmodifiable map in name order. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public int compareTo(SeriesLabels o) {
        int n = Math.min(names.length, o.names.length);
        for (int i = 0; i < n; i++) {
            int c = names[i].compareTo(o.names[i]);
            if (c != 0) {
                return c;
            }
            c = values[i].compareTo(o.values[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(names.length, o.names.length);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SeriesLabels)) {
            return false;
        }
        SeriesLabels other = (SeriesLabels) o;
        return hash == other.hash && Arrays.equals(names, other.names) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** {@code name{label="value", ...}} as PromQL writes a series: {@code name} alone without other labels, {@code {}} when empty. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        String name = metricName();
        if (name != null && names.length == 1) {
            return name;
        }
        if (name != null) {
            sb.append(name);
        }
        sb.append('{');
        boolean first = true;
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(METRIC_NAME)) {
                continue;
            }
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(names[i]).append('=');
            LabelMatcher.appendQuoted(sb, values[i]);
        }
        return sb.append('}').toString();
    }
}
