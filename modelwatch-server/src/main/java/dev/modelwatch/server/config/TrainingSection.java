package dev.modelwatch.server.config;

import dev.modelwatch.server.training.TrainingConfig;
import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.training.DetectorSettings;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code training:} section: {@code stall_after} and {@code detectors} for every model, and under
 * {@code models.<name>} the same keys for one model (unset keys inherit the section's).
 */
final class TrainingSection {
    private static final Set<String> DETECTOR_KEYS = Set.of("divergence_factor", "plateau_patience",
            "plateau_min_delta", "overfitting_rise", "exploding_decades", "vanishing_spread_decades",
            "vanishing_min_norm", "update_ratio_high", "update_ratio_low", "dead_relu_fraction", "saturation_fraction",
            "slow_step_factor", "memory_horizon_steps");

    private TrainingSection() {
    }

    static TrainingConfig read(ConfigReader r, JsonNode root) {
        JsonNode t = r.section(root, "training", Set.of("stall_after", "detectors", "models"));
        TrainingConfig.Settings defaults = settings(r, t, "training.", TrainingConfig.DEFAULT.defaults());
        Map<String, TrainingConfig.Settings> models = new LinkedHashMap<>();
        JsonNode m = t.path("models");
        if (!m.isMissingNode() && !m.isNull()) {
            if (!m.isObject()) {
                r.problems.add("training.models: must be a mapping of model name to its settings");
            } else {
                Iterator<Map.Entry<String, JsonNode>> it = m.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String path = "training.models." + e.getKey() + ".";
                    if (!e.getValue().isObject()) {
                        r.problems.add("training.models." + e.getKey() + ": must be a mapping with stall_after and/or detectors");
                        continue;
                    }
                    r.checkKeys(e.getValue(), path, Set.of("stall_after", "detectors"));
                    models.put(e.getKey(), settings(r, e.getValue(), path, defaults));
                }
            }
        }
        return new TrainingConfig(defaults, models);
    }

    private static TrainingConfig.Settings settings(ConfigReader r, JsonNode n, String path,
                                                    TrainingConfig.Settings inherited) {
        Duration stall = r.durationValue(n, path + "stall_after", "stall_after", inherited.stallAfter());
        if (stall.isZero() || stall.isNegative()) {
            r.problems.add(path + "stall_after: must be positive");
            stall = inherited.stallAfter();
        }
        DetectorSettings d = inherited.detectors();
        JsonNode dn = n.path("detectors");
        if (!dn.isMissingNode() && !dn.isNull()) {
            String p = path + "detectors";
            if (!dn.isObject()) {
                r.problems.add(p + ": must be a mapping");
            } else {
                r.checkKeys(dn, p + ".", DETECTOR_KEYS);
                int before = r.problems.size();
                String q = p + ".";
                DetectorSettings read = null;
                double divergence = r.doubleValue(dn, q + "divergence_factor", "divergence_factor", d.divergenceFactor());
                int patience = r.intValue(dn, q + "plateau_patience", "plateau_patience", d.plateauPatience(), 1,
                        100_000_000);
                double minDelta = r.doubleValue(dn, q + "plateau_min_delta", "plateau_min_delta", d.plateauMinDelta());
                double rise = r.doubleValue(dn, q + "overfitting_rise", "overfitting_rise", d.overfittingRise());
                double exploding = r.doubleValue(dn, q + "exploding_decades", "exploding_decades", d.explodingDecades());
                double spread = r.doubleValue(dn, q + "vanishing_spread_decades", "vanishing_spread_decades",
                        d.vanishingSpreadDecades());
                double minNorm = r.doubleValue(dn, q + "vanishing_min_norm", "vanishing_min_norm", d.vanishingMinNorm());
                double high = r.doubleValue(dn, q + "update_ratio_high", "update_ratio_high", d.updateRatioHigh());
                double low = r.doubleValue(dn, q + "update_ratio_low", "update_ratio_low", d.updateRatioLow());
                double dead = r.doubleValue(dn, q + "dead_relu_fraction", "dead_relu_fraction", d.deadReluFraction());
                double saturation = r.doubleValue(dn, q + "saturation_fraction", "saturation_fraction",
                        d.saturationFraction());
                double slow = r.doubleValue(dn, q + "slow_step_factor", "slow_step_factor", d.slowStepFactor());
                long horizon = r.longValue(dn, q + "memory_horizon_steps", "memory_horizon_steps",
                        d.memoryHorizonSteps(), 1, Long.MAX_VALUE);
                if (r.problems.size() == before) {
                    try {
                        read = new DetectorSettings(divergence, patience, minDelta, rise, exploding, spread, minNorm, high,
                                low, dead, saturation, slow, horizon);
                    } catch (IllegalArgumentException e) {
                        // the message starts with the key it is about
                        r.problems.add(q + e.getMessage());
                    }
                }
                if (read != null) {
                    d = read;
                }
            }
        }
        return new TrainingConfig.Settings(stall, d);
    }
}
