package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.correct;

import dev.modelwatch.core.metrics.ModelTask;
import java.util.Map;

/** A performance change: the metric, before and after, the drop and its p-value. */
record Perf(String metric, Double before, Double after, double drop, double p) {
    boolean significant() {
        return drop > 0.02 && p < 0.01;
    }

    /** The performance change of a frame: accuracy (at least 30 labelled on each side) or the RMSE ratio. */
    static Perf of(Frame f) {
        Map<String, Double> against = f.report().againstReference();
        if (f.spec().task() == ModelTask.REGRESSION) {
            Double ratio = against.get("rmse_ratio");
            return ratio == null ? new Perf("rmse_ratio", null, null, 0, 1)
                    : new Perf("rmse_ratio", 1.0, ratio, ratio - 1, against.getOrDefault("rmse_ratio_p_value", 1.0));
        }
        long[] b = correct(f.base().confusion());
        long[] c = correct(f.cur().confusion());
        if (b[1] < 30 || c[1] < 30) {
            return new Perf("accuracy", null, null, 0, 1);
        }
        double pv = against.getOrDefault("accuracy_drop_p_value", 1.0);
        double before = (double) b[0] / b[1];
        double after = (double) c[0] / c[1];
        return new Perf("accuracy", before, after, before - after, Double.isNaN(pv) ? 1 : pv);
    }
}
