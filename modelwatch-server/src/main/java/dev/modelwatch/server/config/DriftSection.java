package dev.modelwatch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.drift.DriftMethod;
import dev.modelwatch.core.drift.DriftOverride;
import dev.modelwatch.core.drift.DriftPolicy;
import dev.modelwatch.core.drift.MultipleTesting;
import dev.modelwatch.server.drift.DriftConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A model's {@code drift:} entry: {@code baseline}, {@code method} and {@code thresholds} (method
 * name to threshold) for every feature, {@code features} (name to {@code method}/{@code thresholds}
 * of its own), {@code feature_importances} (name to a weight >= 0) and {@code multiple_testing}.
 */
final class DriftSection {
    private DriftSection() {
    }

    /**
     * A model's {@code drift:} entry: {@code baseline}, {@code method} and {@code thresholds} (method
     * name to threshold) for every feature, {@code features} (name to {@code method}/{@code thresholds}
     * of its own), {@code feature_importances} (name to a weight >= 0) and {@code multiple_testing}
     * ({@code benjamini_hochberg}, {@code bonferroni} or {@code none}).
     */
    static DriftConfig.ModelDrift read(ConfigReader r, JsonNode n, String path) {
        if (!n.isObject()) {
            r.problems.add(path + ": must be a mapping");
            return null;
        }
        int before = r.problems.size();
        r.checkKeys(n, path + ".", Set.of("baseline", "method", "thresholds", "features", "feature_importances",
                "multiple_testing"));
        Duration baseline = n.has("baseline") ? r.durationValue(n, path + ".baseline", "baseline", null) : null;
        if (baseline != null && (baseline.isZero() || baseline.isNegative())) {
            r.problems.add(path + ".baseline: must be positive");
        }
        DriftPolicy.Builder policy = DriftPolicy.builder();
        DriftOverride all = driftOverride(r, n, path);
        if (all != null) {
            policy.model(all);
        }
        JsonNode adjustment = n.get("multiple_testing");
        if (adjustment != null && !adjustment.isNull()) {
            try {
                policy.multipleTesting(MultipleTesting.fromWireName(adjustment.asText()));
            } catch (IllegalArgumentException e) {
                r.problems.add(path + ".multiple_testing: " + e.getMessage());
            }
        }
        JsonNode features = n.path("features");
        if (!features.isMissingNode() && !features.isNull()) {
            if (!features.isObject()) {
                r.problems.add(path + ".features: must be a mapping of feature name to {method, thresholds}");
            } else {
                for (Map.Entry<String, JsonNode> f : features.properties()) {
                    String fp = path + ".features." + f.getKey();
                    if (!f.getValue().isObject()) {
                        r.problems.add(fp + ": must be a mapping with method and/or thresholds");
                        continue;
                    }
                    r.checkKeys(f.getValue(), fp + ".", Set.of("method", "thresholds"));
                    DriftOverride o = driftOverride(r, f.getValue(), fp);
                    if (o != null) {
                        policy.feature(f.getKey(), o);
                    }
                }
            }
        }
        Map<String, Double> importances = new LinkedHashMap<>();
        JsonNode imp = n.path("feature_importances");
        if (!imp.isMissingNode() && !imp.isNull()) {
            if (!imp.isObject()) {
                r.problems.add(path + ".feature_importances: must be a mapping of feature name to a number >= 0");
            } else {
                for (Map.Entry<String, JsonNode> w : imp.properties()) {
                    if (!w.getValue().isNumber() || !(w.getValue().asDouble() >= 0)) {
                        r.problems.add(path + ".feature_importances." + w.getKey() + ": must be a number >= 0");
                    } else {
                        importances.put(w.getKey(), w.getValue().asDouble());
                    }
                }
            }
        }
        if (r.problems.size() > before) {
            return null;
        }
        return new DriftConfig.ModelDrift(baseline, policy.build(), importances);
    }

    /** {@code method} and {@code thresholds} of a model's or a feature's drift entry; null when absent or wrong. */
    private static DriftOverride driftOverride(ConfigReader r, JsonNode n, String path) {
        DriftMethod method = null;
        JsonNode m = n.get("method");
        if (m != null && !m.isNull()) {
            try {
                method = DriftMethod.fromWireName(m.asText());
            } catch (IllegalArgumentException e) {
                r.problems.add(path + ".method: " + e.getMessage());
            }
        }
        Map<DriftMethod, Double> thresholds = new LinkedHashMap<>();
        JsonNode t = n.get("thresholds");
        if (t != null && !t.isNull()) {
            if (!t.isObject()) {
                r.problems.add(path + ".thresholds: must be a mapping of method (ks, wasserstein, psi, jensen_shannon,"
                        + " chi_square) to threshold");
            } else {
                for (Map.Entry<String, JsonNode> e : t.properties()) {
                    try {
                        DriftMethod dm = DriftMethod.fromWireName(e.getKey());
                        if (!e.getValue().isNumber()) {
                            r.problems.add(path + ".thresholds." + e.getKey() + ": must be a number");
                            continue;
                        }
                        dm.checkThreshold(e.getValue().asDouble());
                        thresholds.put(dm, e.getValue().asDouble());
                    } catch (IllegalArgumentException ex) {
                        r.problems.add(path + ".thresholds." + e.getKey() + ": " + ex.getMessage());
                    }
                }
            }
        }
        if (method == null && thresholds.isEmpty()) {
            return null;
        }
        try {
            return new DriftOverride(method, thresholds);
        } catch (IllegalArgumentException e) {
            r.problems.add(path + ": " + e.getMessage());
            return null;
        }
    }
}
