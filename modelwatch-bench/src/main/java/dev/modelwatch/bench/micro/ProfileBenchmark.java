package dev.modelwatch.bench.micro;

import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The window profile's hot paths, on a model's all-traffic profile ({@link SketchSettings#DEFAULT})
 * of prediction events with 20 features: {@code update} ({@link WindowProfile#addPrediction}, per
 * event, into a profile that grows through the iteration as a window's does); {@code merge} (two
 * windows of {@code windowEvents} predictions each merged into an empty profile, as a query over a
 * range merges stored windows); {@code encode} and {@code decode} (a window's stored bytes,
 * {@link WindowProfile#toBytes} and {@link WindowProfile#fromBytes}).
 */
public class ProfileBenchmark extends HotPathBenchmark {
    static final int BATCH = 100;

    /** Predictions each stored window saw. */
    @Param({"10000", "1000000"})
    public long windowEvents;

    private List<PredictionEvent> events;
    private WindowProfile first;
    private WindowProfile second;
    private byte[] stored;
    private WindowProfile growing;
    private int next;

    @Setup
    public void setUp() {
        events = MicroInputs.predictions(MicroInputs.workload(42, 10_000, 1_000));
        List<PredictionEvent> other = MicroInputs.predictions(MicroInputs.workload(43, 10_000, 1_000));
        first = MicroInputs.profile(events, windowEvents, SketchSettings.DEFAULT);
        second = MicroInputs.profile(other, windowEvents, SketchSettings.DEFAULT);
        stored = first.toBytes();
        if (WindowProfile.fromBytes(stored, SketchSettings.DEFAULT).count() != windowEvents) {
            throw new IllegalStateException("a decoded profile lost predictions");
        }
    }

    @Setup(Level.Iteration)
    public void newWindow() {
        growing = new WindowProfile(SketchSettings.DEFAULT);
    }

    /** Per event. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public WindowProfile update() {
        for (int i = 0; i < BATCH; i++) {
            growing.addPrediction(events.get(next), MicroInputs.POSITIVE_CLASS);
            next = next + 1 == events.size() ? 0 : next + 1;
        }
        return growing;
    }

    @Benchmark
    public WindowProfile merge() {
        WindowProfile range = new WindowProfile(SketchSettings.DEFAULT);
        range.merge(first);
        range.merge(second);
        return range;
    }

    @Benchmark
    public byte[] encode() {
        return first.toBytes();
    }

    @Benchmark
    public WindowProfile decode() {
        return WindowProfile.fromBytes(stored, SketchSettings.DEFAULT);
    }
}
