package dev.modelwatch.core.drift;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A change to the default drift criterion, for a whole model or for one feature: a method to use
 * instead of the one chosen by sample size, thresholds per method, or both. A threshold is keyed by
 * its method because its meaning depends on it (0.05 is a significance level for KS and a distance
 * for Jensen–Shannon); it applies whenever that method is the one in effect, whether chosen by
 * default or by an override. Each threshold is checked against its method's range
 * ({@link DriftMethod#checkThreshold}).
 *
 * <p>Usage:
 * <pre>{@code
 * DriftOverride.of(DriftMethod.PSI, 0.25);                 // use PSI >= 0.25 for this feature
 * DriftOverride.method(DriftMethod.KS);                    // KS at its default alpha, whatever n
 * DriftOverride.threshold(DriftMethod.WASSERSTEIN, 0.2);   // keep the default choice; W needs 0.2 sd
 * }</pre>
 *
 * @param method     the method to use, or null to keep the default choice
 * @param thresholds thresholds by method; empty to keep the defaults
 */
public record DriftOverride(DriftMethod method, Map<DriftMethod, Double> thresholds) {
    /** Changes nothing. */
    public static final DriftOverride NONE = new DriftOverride(null, Map.of());

    public DriftOverride {
        if (thresholds == null) {
            throw new IllegalArgumentException("thresholds must not be null (use an empty map)");
        }
        EnumMap<DriftMethod, Double> copy = new EnumMap<>(DriftMethod.class);
        for (Map.Entry<DriftMethod, Double> e : thresholds.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("thresholds must not hold a null method or value, had "
                        + thresholds);
            }
            copy.put(e.getKey(), e.getKey().checkThreshold(e.getValue()));
        }
        thresholds = Collections.unmodifiableMap(copy);
    }

    /** Use {@code method} with its threshold {@code threshold}. */
    public static DriftOverride of(DriftMethod method, double threshold) {
        if (method == null) {
            throw new IllegalArgumentException("method must not be null");
        }
        return new DriftOverride(method, Map.of(method, threshold));
    }

    /** Use {@code method} with its default threshold (or one set at the model level). */
    public static DriftOverride method(DriftMethod method) {
        if (method == null) {
            throw new IllegalArgumentException("method must not be null");
        }
        return new DriftOverride(method, Map.of());
    }

    /** Keep the method choice; when {@code method} is the one in effect, use {@code threshold}. */
    public static DriftOverride threshold(DriftMethod method, double threshold) {
        if (method == null) {
            throw new IllegalArgumentException("method must not be null");
        }
        return new DriftOverride(null, Map.of(method, threshold));
    }
}
