package dev.modelwatch.server.alert.lifecycle;

import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.SeriesLabels;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The outcome of one evaluation of a rule's expression, handed to {@link AlertLifecycle#step}: the
 * result samples, or the error the evaluation threw; optionally the series that exist, which lets the
 * lifecycle tell "clear" from "no data" for a filter condition.
 *
 * @param samples the expression's result (empty when it failed)
 * @param present the labels (without {@code __name__}) of every series that had data at this
 *                evaluation, breaching or not; null when unknown (then a series missing from
 *                {@code samples} is clear, as in Prometheus)
 * @param error   why the evaluation failed, or null
 */
public record RuleEvaluation(List<InstantSample> samples, Set<SeriesLabels> present, String error) {
    public RuleEvaluation {
        samples = samples == null ? List.of() : List.copyOf(samples);
        if (present != null) {
            Set<SeriesLabels> p = new LinkedHashSet<>();
            for (SeriesLabels l : present) {
                p.add(l.withoutMetricName());
            }
            present = Collections.unmodifiableSet(p);
        }
        if (error != null && error.isBlank()) {
            throw new IllegalArgumentException("error must say why the evaluation failed");
        }
    }

    /** The expression returned {@code samples}; which other series exist is unknown. */
    public static RuleEvaluation of(List<InstantSample> samples) {
        return new RuleEvaluation(samples, null, null);
    }

    /**
     * The expression returned {@code samples}, and {@code existing} (for example the result of
     * {@link AlertRule#presenceExpression()}) are the series that had data.
     */
    public static RuleEvaluation of(List<InstantSample> samples, Collection<InstantSample> existing) {
        Set<SeriesLabels> p = new LinkedHashSet<>();
        for (InstantSample s : existing) {
            p.add(s.labels());
        }
        for (InstantSample s : samples) {
            p.add(s.labels());
        }
        return new RuleEvaluation(samples, p, null);
    }

    /** The evaluation failed with {@code error}. */
    public static RuleEvaluation failed(String error) {
        return new RuleEvaluation(List.of(), null, error == null || error.isBlank() ? "evaluation failed" : error);
    }

    /** The evaluation threw {@code e}. */
    public static RuleEvaluation failed(Throwable e) {
        String m = e.getMessage();
        return failed(m == null || m.isBlank() ? e.getClass().getSimpleName() : m);
    }

    public boolean failed() {
        return error != null;
    }
}
