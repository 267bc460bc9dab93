package dev.modelwatch.server.demo;

import java.time.Duration;
import java.util.List;

/**
 * The demo's scripted faults, in demo time from the demo's start: each injected, then recovered from.
 * The script repeats every {@link #CYCLE}. Each fault names the cause a diagnosis should rank first
 * (API.md's cause kinds) and what to look at while it runs.
 */
public final class FaultScript {
    /** What the demo injects. */
    public enum Kind {
        /** The imaging protocol changed: {@code texture} reads 40% higher. */
        FEATURE_DRIFT("covariate_drift"),
        /** An upstream join broke: {@code concavity} arrives null for 70% of the requests. */
        PIPELINE_BREAK("data_quality"),
        /** Version v2, retrained on labels where most malignant cases were lost, is deployed. */
        BAD_VERSION("version_regression"),
        /** The serving host's CPU saturates: latencies grow eightfold. */
        LATENCY_SPIKE("infrastructure"),
        /** One clinic's scanner is miscalibrated: its sizes (radius, perimeter, area) read 30-50% low. */
        SEGMENT_DROP("segment"),
        /** A retraining run with a learning rate 300 times too high. */
        DIVERGING_TRAINING("training");

        private final String causeKind;

        Kind(String causeKind) {
            this.causeKind = causeKind;
        }

        /** The cause kind of API.md's incidents that this fault is. */
        public String causeKind() {
            return causeKind;
        }
    }

    /** One fault: from {@code start} to {@code end} after the demo's start (within a cycle). */
    public record Fault(Kind kind, Duration start, Duration end, String lookAt) {
    }

    /** The clinic whose scanner is miscalibrated during {@link Kind#SEGMENT_DROP}. */
    public static final String BAD_CLINIC = "north";

    /** The length of one pass through the script; it starts again after it. */
    public static final Duration CYCLE = Duration.ofMinutes(280);

    /** The faults of one cycle, in order. */
    public static final List<Fault> FAULTS = List.of(
            new Fault(Kind.FEATURE_DRIFT, Duration.ofMinutes(70), Duration.ofMinutes(100),
                    "feature 'texture' drifts: the drift heatmap of /ui/models/tumor, alert ModelFeatureDrift"),
            new Fault(Kind.PIPELINE_BREAK, Duration.ofMinutes(110), Duration.ofMinutes(135),
                    "'concavity' arrives null: data quality on /ui/models/tumor, alert ModelMissingRateJump"),
            new Fault(Kind.BAD_VERSION, Duration.ofMinutes(145), Duration.ofMinutes(175),
                    "version v2 is live: accuracy by version on /ui/models/tumor, alert ModelAccuracyDrop once labels arrive"),
            new Fault(Kind.LATENCY_SPIKE, Duration.ofMinutes(185), Duration.ofMinutes(205),
                    "serving CPU saturated: latency p99 on /ui/models/tumor, metric host_cpu_utilization of host serving-1, alert ModelLatencyP99High"),
            new Fault(Kind.SEGMENT_DROP, Duration.ofMinutes(215), Duration.ofMinutes(245),
                    "clinic 'north' mismeasures sizes: /api/v1/models/tumor/summary?segment=clinic:north"),
            new Fault(Kind.DIVERGING_TRAINING, Duration.ofMinutes(255), Duration.ofMinutes(265),
                    "a retraining run diverges: its problems (divergence, exploding_gradients) at /api/v1/runs"));

    private FaultScript() {
    }

    /** The fault under way at {@code elapsed} after the demo's start, or null when none is. */
    public static Fault at(Duration elapsed) {
        long t = Math.floorMod(elapsed.toMillis(), CYCLE.toMillis());
        for (Fault f : FAULTS) {
            if (t >= f.start().toMillis() && t < f.end().toMillis()) {
                return f;
            }
        }
        return null;
    }
}
