package dev.modelwatch.core.training;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Weight-update ratio out of range, from {@code update_ratio} and {@code update_ratio/<layer>}
 * (|ΔW| / |W| per optimiser step; around 1e-3 is healthy, after Karpathy's rule of thumb): its average
 * of log10 (EWMA, alpha 0.1) above {@code update_ratio_high} (1e-1: the weights are being rewritten every step) or,
 * while the learning rate is above zero, below {@code update_ratio_low} (1e-7: the layer does not learn), for
 * {@code CONFIRM} logged steps in a row.
 */
public final class UpdateRatioDetector implements StepDetector {
    static final int CONFIRM = 20;
    private final Map<String, Ewma> means = new HashMap<>();
    private final Map<String, Integer> breaches = new HashMap<>();
    private final Set<String> active = new HashSet<>();
    private final double high;
    private final double low;

    /** What the detector has seen, to continue after a restart: per ratio series its average and breaches. */
    public record State(Map<String, Ewma.State> means, Map<String, Integer> breaches, java.util.List<String> active) {
    }

    UpdateRatioDetector(double high, double low, State s) {
        this.high = high;
        this.low = low;
        if (s != null) {
            s.means().forEach((name, m) -> means.put(name, Ewma.of(0.1, m)));
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
            boolean tooHigh = m > Math.log10(high);
            boolean tooLow = learning && m < Math.log10(low);
            int b = tooHigh || tooLow ? breaches.getOrDefault(name, 0) + 1 : 0;
            breaches.put(name, b);
            if (b == 0) {
                active.remove(name);
            } else if (b >= CONFIRM && active.add(name)) {
                out.add(new TrainingProblem("update_ratio", TrainingProblem.WARNING, step, name, Math.pow(10, m),
                        String.format("%s is %.2g, %s (healthy: around 1e-3); %s", name, Math.pow(10, m),
                                tooHigh ? String.format("above %.2g", high) : String.format("below %.2g", low),
                                tooHigh ? "lower the learning rate" : "the layer does not learn: raise its learning rate "
                                        + "or check that it is not frozen")));
            }
        }
    }
}
