package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

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
    private final SeriesBreaches series;

    LayerFractionDetector(String prefix, String kind, double threshold, String advice, SeriesBreaches.State s) {
        this.prefix = prefix;
        this.kind = kind;
        this.threshold = threshold;
        this.advice = advice;
        series = new SeriesBreaches(ALPHA, CONFIRM, s);
    }

    SeriesBreaches.State state() {
        return series.state();
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String name = e.getKey();
            if (!MetricNames.isLayer(name, prefix) || !Double.isFinite(e.getValue())) {
                continue;
            }
            double m = series.add(name, e.getValue());
            if (series.confirmed(name, m > threshold)) {
                out.add(new TrainingProblem(kind, TrainingProblem.WARNING, step, name, m,
                        String.format("%s: %.0f%% of the units of layer %s (above %.0f%%); %s", kind.replace('_', ' '),
                                100 * m, name.substring(prefix.length() + 1), 100 * threshold, advice)));
            }
        }
    }
}
