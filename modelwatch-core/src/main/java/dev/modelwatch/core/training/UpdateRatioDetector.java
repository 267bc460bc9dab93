package dev.modelwatch.core.training;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Weight-update ratio out of range, from {@code update_ratio} and {@code update_ratio/<layer>}
 * (|ΔW| / |W| per optimiser step; around 1e-3 is healthy, after Karpathy's rule of thumb): its average
 * of log10 (EWMA, alpha 0.1) above {@code HIGH} (1e-1: the weights are being rewritten every step) or,
 * while the learning rate is above zero, below {@code LOW} (1e-7: the layer does not learn), for
 * {@code CONFIRM} logged steps in a row.
 */
final class UpdateRatioDetector implements StepDetector {
    static final double HIGH = 1e-1;
    static final double LOW = 1e-7;
    static final int CONFIRM = 20;
    private final Map<String, Ewma> means = new HashMap<>();
    private final Map<String, Integer> breaches = new HashMap<>();
    private final Set<String> active = new HashSet<>();

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        Double lr = metrics.get(MetricNames.LR);
        boolean learning = lr == null || lr > 0;
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String name = e.getKey();
            double v = e.getValue();
            boolean ratio = name.equals(MetricNames.UPDATE_RATIO) || MetricNames.isLayer(name, MetricNames.UPDATE_RATIO);
            if (!ratio || !Double.isFinite(v) || v < 0) {
                continue;
            }
            double m = means.computeIfAbsent(name, n -> new Ewma(0.1)).add(Math.log10(Math.max(v, 1e-30)));
            boolean high = m > Math.log10(HIGH);
            boolean low = learning && m < Math.log10(LOW);
            int b = high || low ? breaches.getOrDefault(name, 0) + 1 : 0;
            breaches.put(name, b);
            if (b == 0) {
                active.remove(name);
            } else if (b >= CONFIRM && active.add(name)) {
                out.add(new TrainingProblem("update_ratio", TrainingProblem.WARNING, step, name, Math.pow(10, m),
                        String.format("%s is %.2g, %s (healthy: around 1e-3); %s", name, Math.pow(10, m),
                                high ? "above 1e-1" : "below 1e-7",
                                high ? "lower the learning rate" : "the layer does not learn: raise its learning rate "
                                        + "or check that it is not frozen")));
            }
        }
    }
}
