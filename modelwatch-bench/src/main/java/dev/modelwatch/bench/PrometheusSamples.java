package dev.modelwatch.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * The samples of one scrape of the server's {@code /metrics} (Prometheus text format), by series
 * ({@code name} or {@code name{labels}} exactly as written), so that the benchmark can report the
 * server's own account of an interval: fsyncs, group-commit sizes, flushes.
 *
 * <pre>{@code
 * PrometheusSamples s = PrometheusSamples.parse(text);
 * double fsyncs = s.value("modelwatch_log_fsync_duration_seconds_count");
 * }</pre>
 */
final class PrometheusSamples {
    private final Map<String, Double> samples;

    private PrometheusSamples(Map<String, Double> samples) {
        this.samples = samples;
    }

    static PrometheusSamples parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            try {
                samples.put(line.substring(0, space).trim(), Double.parseDouble(line.substring(space + 1).trim()));
            } catch (NumberFormatException e) {
                // a sample with a timestamp or an odd value is not one the benchmark reads
            }
        }
        return new PrometheusSamples(samples);
    }

    /** The sample's value, or NaN when the scrape does not hold it. */
    double value(String series) {
        return samples.getOrDefault(series, Double.NaN);
    }

    /** How much a counter grew since {@code before}. */
    double since(PrometheusSamples before, String series) {
        return value(series) - before.value(series);
    }
}
