package dev.modelwatch.core.training;

/**
 * The metric names the detectors understand. Per-layer values are sent as {@code <kind>/<layer>}
 * (e.g. {@code grad_norm/encoder.0}); the Python client's PyTorch helper sends them in that form.
 */
final class MetricNames {
    static final String LOSS = "loss";
    static final String VAL_LOSS = "val_loss";
    static final String GRAD_NORM = "grad_norm";
    static final String UPDATE_RATIO = "update_ratio";
    static final String DEAD_FRACTION = "dead_fraction";
    static final String SATURATION = "saturation";
    static final String LR = "lr";
    static final String STEP_TIME = "step_time_s";
    static final String MEMORY = "gpu_memory_bytes";
    static final String MEMORY_LIMIT = "gpu_memory_limit_bytes";

    private MetricNames() {
    }

    static boolean isGradNorm(String name) {
        return name.equals(GRAD_NORM) || isLayer(name, GRAD_NORM);
    }

    /** True for {@code <kind>/<layer>}. */
    static boolean isLayer(String name, String kind) {
        return name.length() > kind.length() + 1 && name.startsWith(kind) && name.charAt(kind.length()) == '/';
    }
}
