package dev.modelwatch.core.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The default detectors of one training run, fed its logged steps in order.
 *
 * <pre>{@code
 * TrainingDetectors d = TrainingDetectors.defaults();
 * List<TrainingProblem> found = d.observe(120, Map.of("loss", Double.NaN)); // [nan_loss at step 120]
 * }</pre>
 */
public final class TrainingDetectors {
    private final List<StepDetector> detectors;

    private TrainingDetectors(List<StepDetector> detectors) {
        this.detectors = detectors;
    }

    /** Every detector with its documented default thresholds (docs/training.md). */
    public static TrainingDetectors defaults() {
        return new TrainingDetectors(List.of(new NonFiniteDetector(), new DivergenceDetector(), new PlateauDetector(),
                new OverfittingDetector(), new GradientDetector(), new UpdateRatioDetector(),
                new LayerFractionDetector(MetricNames.DEAD_FRACTION, "dead_relu", 0.5,
                        "lower the learning rate, use LeakyReLU/GELU or check the initialisation"),
                new LayerFractionDetector(MetricNames.SATURATION, "saturated_activations", 0.5,
                        "normalise the inputs or the layer, or use a non-saturating activation"),
                new LrOscillationDetector(), new SlowStepDetector(), new MemoryGrowthDetector()));
    }

    /** Feeds one logged step; returns the problems that started at it. */
    public List<TrainingProblem> observe(long step, Map<String, Double> metrics) {
        List<TrainingProblem> out = new ArrayList<>(0);
        for (StepDetector d : detectors) {
            d.observe(step, metrics, out);
        }
        return out;
    }
}
