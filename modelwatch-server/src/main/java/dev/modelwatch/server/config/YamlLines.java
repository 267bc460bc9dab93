package dev.modelwatch.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each key of a YAML document is: the line of every value, by its path in the form the
 * configuration problems use ({@code route.routes[1].group_wait}, {@code rules[0].expr}), so that a
 * problem can say "line 12".
 */
final class YamlLines {
    private final Map<String, Integer> lines = new HashMap<>();

    private YamlLines() {
    }

    /** The lines of {@code yaml}; an unreadable document gives no lines (its parse error says where). */
    static YamlLines of(String yaml) {
        YamlLines out = new YamlLines();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            Deque<Object> path = new ArrayDeque<>(); // String field names and int[] list indexes
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> {
                        if (!path.isEmpty() && path.peek() instanceof String) {
                            path.pop();
                        }
                        path.push(p.currentName());
                        out.lines.putIfAbsent(out.format(path), p.currentTokenLocation().getLineNr());
                    }
                    case START_OBJECT, START_ARRAY -> {
                        out.enterValue(path, p);
                        path.push(t == JsonToken.START_ARRAY ? new int[] {-1} : new Object());
                    }
                    case END_OBJECT, END_ARRAY -> {
                        if (!path.isEmpty() && path.peek() instanceof String) {
                            path.pop();
                        }
                        path.pop();
                    }
                    default -> out.enterValue(path, p);
                }
            }
        } catch (IOException | RuntimeException e) {
            return new YamlLines();
        }
        return out;
    }

    /** A value starts: inside a list it is the next item, whose line is recorded. */
    private void enterValue(Deque<Object> path, JsonParser p) {
        if (!path.isEmpty() && path.peek() instanceof int[] index) {
            index[0]++;
            lines.putIfAbsent(format(path), p.currentTokenLocation().getLineNr());
        }
    }

    private String format(Deque<Object> path) {
        StringBuilder b = new StringBuilder();
        var it = path.descendingIterator();
        while (it.hasNext()) {
            Object o = it.next();
            if (o instanceof String s) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(s);
            } else if (o instanceof int[] i && i[0] >= 0) {
                b.append('[').append(i[0]).append(']');
            }
        }
        return b.toString();
    }

    /**
     * The line of a problem "{@code path: message}": the line of its path, or of its longest known
     * prefix; 0 when none is known.
     */
    int lineOf(String problem) {
        int colon = problem.indexOf(": ");
        String path = colon < 0 ? problem : problem.substring(0, colon);
        while (!path.isEmpty()) {
            Integer line = lines.get(path);
            if (line != null) {
                return line;
            }
            int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            path = cut <= 0 ? "" : path.substring(0, cut);
        }
        return 0;
    }
}
