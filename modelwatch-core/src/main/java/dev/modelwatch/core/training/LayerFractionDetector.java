package dev.modelwatch.core.training;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A per-layer fraction sent by the client that should stay low: {@code dead_fraction/<layer>} (ReLU
 * outputs that are zero for the whole batch; SageMaker Debugger's DeadRelu, 50% of a layer) and
 * {@code saturation/<layer>} (sigmoid/tanh outputs in their flat tails; its SaturatedActivation). Fires when
 * the fraction's average (EWMA, alpha 0.2) stays above {@code threshold} for {@code CONFIRM} logged steps.
 */
public final class LayerFractionDetector implements StepDetector {
    static final int CONFIRM = 10;
    private static final double ALPHA = 0.2;
    private final String prefix;
    private final String kind;
    private final double threshold;
    private final String advice;
    private final Map<String, Ewma> means = new HashMap<>();
    private final Map<String, Integer> breaches = new HashMap<>();
    private final Set<String> active = new HashSet<>();

    /** What the detector has seen, to continue after a restart: per layer series its average and breaches. */
    public record State(Map<String, Ewma.State> means, Map<String, Integer> breaches, java.util.List<String> active) {
    }

    LayerFractionDetector(String prefix, String kind, double threshold, String advice, State s) {
        this.prefix = prefix;
        this.kind = kind;
        this.threshold = threshold;
        this.advice = advice;
        if (s != null) {
            s.means().forEach((name, m) -> means.put(name, Ewma.of(0.2, m)));
            breaches.putAll(s.breaches());
            active.addAll(s.active());
        }
    }

    State state() {
        Map<String, Ewma.State> m = new java.util.TreeMap<>();
        means.forEach((name, e) -> m.put(name, e.state()));
        return new State(m, new java.util.TreeMap<>(breaches), active.stream().sorted().toList());
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String name = e.getKey();
            if (!MetricNames.isLayer(name, prefix) || !Double.isFinite(e.getValue())) {
                continue;
            }
            double m = means.computeIfAbsent(name, n -> new Ewma(ALPHA)).add(e.getValue());
            int b = m > threshold ? breaches.getOrDefault(name, 0) + 1 : 0;
            breaches.put(name, b);
            if (b == 0) {
                active.remove(name);
            } else if (b >= CONFIRM && active.add(name)) {
                out.add(new TrainingProblem(kind, TrainingProblem.WARNING, step, name, m,
                        String.format("%s: %.0f%% of the units of layer %s (above %.0f%%); %s", kind.replace('_', ' '),
                                100 * m, name.substring(prefix.length() + 1), 100 * threshold, advice)));
            }
        }
    }
}
