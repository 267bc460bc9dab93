package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * Weight-update ratio out of range, from {@code update_ratio} and {@code update_ratio/<layer>}
 * (|ΔW| / |W| per optimiser step; around 1e-3 is healthy, after Karpathy's rule of thumb): its average
 * of log10 (EWMA, alpha 0.1) above {@code update_ratio_high} (1e-1: the weights are being rewritten every step) or,
 * while the learning rate is above zero, below {@code update_ratio_low} (1e-7: the layer does not learn), for
 * {@code CONFIRM} logged steps in a row.
 */
public final class UpdateRatioDetector implements StepDetector {
    static final int CONFIRM = 20;
    private static final double ALPHA = 0.1;
    private final SeriesBreaches series;
    private final double high;
    private final double low;

    UpdateRatioDetector(double high, double low, SeriesBreaches.State s) {
        this.high = high;
        this.low = low;
        series = new SeriesBreaches(ALPHA, CONFIRM, s);
    }

    SeriesBreaches.State state() {
        return series.state();
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
            double m = series.add(name, Math.log10(Math.max(v, 1e-30)));
            boolean tooHigh = m > Math.log10(high);
            boolean tooLow = learning && m < Math.log10(low);
            if (series.confirmed(name, tooHigh || tooLow)) {
                out.add(new TrainingProblem("update_ratio", TrainingProblem.WARNING, step, name, Math.pow(10, m),
                        String.format("%s is %.2g, %s (healthy: around 1e-3); %s", name, Math.pow(10, m),
                                tooHigh ? String.format("above %.2g", high) : String.format("below %.2g", low),
                                tooHigh ? "lower the learning rate" : "the layer does not learn: raise its learning rate "
                                        + "or check that it is not frozen")));
            }
        }
    }
}
