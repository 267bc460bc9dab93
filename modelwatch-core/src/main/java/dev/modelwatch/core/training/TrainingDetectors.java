package dev.modelwatch.core.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The detectors of one training run, fed its logged steps in order. Their state ({@link #state()}) is
 * stored with the run, so that after a restart they continue where they were: a problem found before
 * is not found again while its condition keeps holding, and the averages are not forgotten.
 *
 * <pre>{@code
 * TrainingDetectors d = TrainingDetectors.defaults();
 * List<TrainingProblem> found = d.observe(120, Map.of("loss", Double.NaN)); // [nan_loss at step 120]
 * TrainingDetectors again = TrainingDetectors.restore(DetectorSettings.DEFAULT, d.state());
 * }</pre>
 */
public final class TrainingDetectors {
    private final NonFiniteDetector nonFinite;
    private final DivergenceDetector divergence;
    private final PlateauDetector plateau;
    private final OverfittingDetector overfitting;
    private final GradientDetector gradients;
    private final UpdateRatioDetector updateRatio;
    private final LayerFractionDetector deadRelu;
    private final LayerFractionDetector saturation;
    private final LrOscillationDetector lrOscillation;
    private final SlowStepDetector slowSteps;
    private final MemoryGrowthDetector memory;
    private final List<StepDetector> detectors;

    /**
     * What every detector has seen. A component is null when the stored run predates it (that detector
     * starts afresh).
     */
    public record State(NonFiniteDetector.State nonFinite, DivergenceDetector.State divergence,
                        PlateauDetector.State plateau, OverfittingDetector.State overfitting,
                        GradientDetector.State gradients, SeriesBreaches.State updateRatio,
                        SeriesBreaches.State deadRelu, SeriesBreaches.State saturation,
                        LrOscillationDetector.State lrOscillation, SlowStepDetector.State slowSteps,
                        MemoryGrowthDetector.State memory) {
    }

    private static final State FRESH = new State(null, null, null, null, null, null, null, null, null, null, null);

    private TrainingDetectors(DetectorSettings t, State s) {
        nonFinite = new NonFiniteDetector(s.nonFinite());
        divergence = new DivergenceDetector(t.divergenceFactor(), s.divergence());
        plateau = new PlateauDetector(t.plateauPatience(), t.plateauMinDelta(), s.plateau());
        overfitting = new OverfittingDetector(t.overfittingRise(), s.overfitting());
        gradients = new GradientDetector(t.explodingDecades(), t.vanishingSpreadDecades(), t.vanishingMinNorm(),
                s.gradients());
        updateRatio = new UpdateRatioDetector(t.updateRatioHigh(), t.updateRatioLow(), s.updateRatio());
        deadRelu = new LayerFractionDetector(MetricNames.DEAD_FRACTION, "dead_relu", t.deadReluFraction(),
                "lower the learning rate, use LeakyReLU/GELU or check the initialisation", s.deadRelu());
        saturation = new LayerFractionDetector(MetricNames.SATURATION, "saturated_activations", t.saturationFraction(),
                "normalise the inputs or the layer, or use a non-saturating activation", s.saturation());
        lrOscillation = new LrOscillationDetector(s.lrOscillation());
        slowSteps = new SlowStepDetector(t.slowStepFactor(), s.slowSteps());
        memory = new MemoryGrowthDetector(t.memoryHorizonSteps(), s.memory());
        detectors = List.of(nonFinite, divergence, plateau, overfitting, gradients, updateRatio, deadRelu, saturation,
                lrOscillation, slowSteps, memory);
    }

    /** Every detector with its documented default thresholds (docs/training.md). */
    public static TrainingDetectors defaults() {
        return of(DetectorSettings.DEFAULT);
    }

    /** Every detector with these thresholds, fresh. */
    public static TrainingDetectors of(DetectorSettings settings) {
        return new TrainingDetectors(settings, FRESH);
    }

    /** Every detector with these thresholds, continuing from {@code state} (fresh when it is null). */
    public static TrainingDetectors restore(DetectorSettings settings, State state) {
        return new TrainingDetectors(settings, state == null ? FRESH : state);
    }

    /** Feeds one logged step; returns the problems that started at it. */
    public List<TrainingProblem> observe(long step, Map<String, Double> metrics) {
        List<TrainingProblem> out = new ArrayList<>(0);
        for (StepDetector d : detectors) {
            d.observe(step, metrics, out);
        }
        return out;
    }

    /** What the detectors have seen so far, to store. */
    public State state() {
        return new State(nonFinite.state(), divergence.state(), plateau.state(), overfitting.state(), gradients.state(),
                updateRatio.state(), deadRelu.state(), saturation.state(), lrOscillation.state(), slowSteps.state(),
                memory.state());
    }
}
