package dev.modelwatch.bench.micro;

import dev.modelwatch.core.drift.KsDriftTest;
import dev.modelwatch.core.drift.KsResult;
import dev.modelwatch.core.drift.WassersteinDrift;
import dev.modelwatch.core.drift.WassersteinResult;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Drift statistics of one numerical feature ({@code amount}, lognormal) from the quantile sketches
 * of two window profiles ({@link SketchSettings#DEFAULT}), a reference and a current window drawn
 * with different seeds, each of {@code windowEvents} predictions: {@link KsDriftTest#of} (the
 * statistic, its error bound and p-value) and {@link WassersteinDrift#of}. Neither reads events,
 * so the time depends on the sketches' sizes only.
 */
public class SketchDriftBenchmark extends HotPathBenchmark {
    static final String FEATURE = "amount";

    /** Predictions each window saw. */
    @Param({"10000", "1000000"})
    public long windowEvents;

    private FeatureProfile reference;
    private FeatureProfile current;

    @Setup
    public void setUp() {
        List<PredictionEvent> referenceEvents = MicroInputs.predictions(MicroInputs.workload(42, 10_000, 1_000));
        List<PredictionEvent> currentEvents = MicroInputs.predictions(MicroInputs.workload(43, 10_000, 1_000));
        reference = MicroInputs.profile(referenceEvents, windowEvents, SketchSettings.DEFAULT).features().get(FEATURE);
        current = MicroInputs.profile(currentEvents, windowEvents, SketchSettings.DEFAULT).features().get(FEATURE);
        if (reference == null || !reference.isNumerical() || reference.numericCount() != windowEvents) {
            throw new IllegalStateException("feature " + FEATURE + " is missing from the generated profile");
        }
    }

    @Benchmark
    public KsResult ks() {
        return KsDriftTest.of(reference, current);
    }

    @Benchmark
    public WassersteinResult wasserstein() {
        return WassersteinDrift.of(reference, current);
    }
}
