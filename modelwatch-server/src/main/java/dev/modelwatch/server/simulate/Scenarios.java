package dev.modelwatch.server.simulate;

import dev.modelwatch.server.simulate.TrafficSimulator.Fault;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The named scenarios of {@code modelwatch simulate} and of the fault-injection benchmark: each a set of
 * {@link Fault}s injected into {@link TrafficSimulator}'s traffic, with the cause the diagnosis should
 * rank first ({@link Expected}; none for clean traffic and for faults no diagnosis kind covers).
 */
public final class Scenarios {
    private Scenarios() {
    }

    /**
     * The cause a diagnosis should rank first: its kind, and the attribute of the cause that names the
     * culprit with its value ({@code feature = x2}); {@code field} and {@code value} null when the kind
     * names nothing.
     */
    public record Expected(String kind, String field, String value) {
        @Override
        public String toString() {
            return kind + (field == null ? "" : " " + field + "=" + value);
        }
    }

    /**
     * A named scenario.
     *
     * @param name        the name {@code --scenario} takes
     * @param description one line, for {@code --list}
     * @param faults      the faults injected (none: a clean stream)
     * @param expected    the cause the diagnosis should rank first; null for a clean stream, or where no
     *                    kind of cause covers the fault (a silent traffic drop)
     */
    public record Named(String name, String description, Set<Fault> faults, Expected expected) {
        public Named {
            faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
        }

        public boolean clean() {
            return faults.isEmpty();
        }
    }

    private static Named of(String name, String description, Fault fault, String kind, String field, String value) {
        return new Named(name, description, EnumSet.of(fault), kind == null ? null : new Expected(kind, field, value));
    }

    /** Every scenario, clean first. */
    public static List<Named> all() {
        List<Named> l = new ArrayList<>();
        l.add(new Named("clean", "no fault: daily seasonality of volume, delayed labels, host metrics",
                EnumSet.noneOf(Fault.class), null));
        l.add(of("covariate_drift", "sudden covariate drift: x2 shifts by +1 sd", Fault.COVARIATE,
                "covariate_drift", "feature", "x2"));
        l.add(of("gradual_drift", "gradual covariate drift: x2 moves to +1.5 sd over 10 windows",
                Fault.GRADUAL_COVARIATE, "covariate_drift", "feature", "x2"));
        l.add(of("recurring_drift", "recurring covariate drift: x3 +1 sd for 5 windows out of 10",
                Fault.RECURRING_COVARIATE, "covariate_drift", "feature", "x3"));
        l.add(of("concept_drift", "concept drift: the labels' relation to x1 reverses, inputs unchanged",
                Fault.CONCEPT, "concept_drift", null, null));
        l.add(of("label_shift", "label shift: 35% of negative labels become positive", Fault.LABEL_SHIFT,
                "label_shift", null, null));
        l.add(of("missing_values", "missing-value spike: x4 missing in 40% of events (a broken join)",
                Fault.DATA_QUALITY, "data_quality", "feature", "x4"));
        l.add(of("category_explosion", "category explosion: half the events carry one of 1,000 new channel values",
                Fault.CATEGORY_EXPLOSION, "data_quality", "feature", "channel"));
        l.add(of("unit_change", "scale change: amount arrives in cents (x 100)", Fault.UNIT_CHANGE,
                "data_quality", "feature", "amount"));
        l.add(of("latency_spike", "latency spike: host h1 saturates (CPU 97%), latency triples",
                Fault.INFRASTRUCTURE, "infrastructure", null, null));
        l.add(of("error_burst", "error burst: host h2 saturates, 15% of predictions fail", Fault.ERROR_BURST,
                "infrastructure", null, null));
        l.add(of("traffic_surge", "traffic surge: 2.5 times the traffic, the hosts queue", Fault.TRAFFIC_SURGE,
                "infrastructure", null, null));
        l.add(of("version_regression", "version regression: v2, which lost x1, takes half the traffic",
                Fault.VERSION, "version_regression", "version", "v2"));
        l.add(of("segment_drop", "segment-local drop: concept drift in region=latam only", Fault.SEGMENT,
                "segment", "segment", "region=latam"));
        l.add(of("traffic_drop", "silent traffic drop: a fifth of the traffic, nothing else changes",
                Fault.TRAFFIC_DROP, null, null, null));
        l.add(of("training_divergence", "training divergence: v2-r-17, from run r-17 whose loss turned NaN, "
                + "takes all traffic", Fault.TRAINING, "training", "version", "v2-" + TrafficSimulator.TRAINING_RUN));
        return List.copyOf(l);
    }

    /** The scenario of that name. */
    public static Optional<Named> byName(String name) {
        return all().stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** The names, comma-separated, for error messages. */
    public static String names() {
        return String.join(", ", all().stream().map(Named::name).toList());
    }
}
