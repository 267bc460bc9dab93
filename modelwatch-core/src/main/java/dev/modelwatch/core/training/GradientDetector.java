package dev.modelwatch.core.training;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exploding and vanishing gradients, from {@code grad_norm} and the per-layer {@code grad_norm/<layer>}.
 * <ul>
 * <li>Exploding: a norm's fast average of log10 (EWMA, alpha 0.3) is more than {@code exploding_decades}
 * (2, i.e. 100x) above its slow average (alpha 0.01), for {@code CONFIRM} logged steps in a row.</li>
 * <li>Vanishing: across the layers sent, the smallest layer norm is more than {@code vanishing_spread_decades}
 * (4, i.e. 10^4x) below the largest (the first layers' gradients collapsed while the last layers' did
 * not), or a norm is below {@code vanishing_min_norm} (1e-7, SageMaker Debugger's VanishingGradient threshold),
 * for {@code VANISH_CONFIRM} logged steps in a row.</li>
 * </ul>
 */
public final class GradientDetector implements StepDetector {
    static final int WARMUP = 10;
    static final int CONFIRM = 3;
    static final int VANISH_CONFIRM = 10;
    private final Map<String, Ewma> fast = new HashMap<>();
    private final Map<String, Ewma> slow = new HashMap<>();
    private final Map<String, Integer> breaches = new HashMap<>();
    private final Set<String> exploding = new HashSet<>();
    private int vanishing;
    private boolean vanishingActive;
    private final double explodeDecades;
    private final double spreadDecades;
    private final double vanishAbs;

    /** What the detector has seen, to continue after a restart: per norm series its averages and breaches. */
    public record State(Map<String, Ewma.State> fast, Map<String, Ewma.State> slow, Map<String, Integer> breaches,
                        java.util.List<String> exploding, int vanishing, boolean vanishingActive) {
    }

    GradientDetector(double explodeDecades, double spreadDecades, double vanishAbs, State s) {
        this.explodeDecades = explodeDecades;
        this.spreadDecades = spreadDecades;
        this.vanishAbs = vanishAbs;
        if (s != null) {
            s.fast().forEach((name, m) -> fast.put(name, Ewma.of(0.3, m)));
            s.slow().forEach((name, m) -> slow.put(name, Ewma.of(0.01, m)));
            breaches.putAll(s.breaches());
            exploding.addAll(s.exploding());
            vanishing = s.vanishing();
            vanishingActive = s.vanishingActive();
        }
    }

    State state() {
        Map<String, Ewma.State> f = new java.util.TreeMap<>();
        fast.forEach((name, e) -> f.put(name, e.state()));
        Map<String, Ewma.State> sl = new java.util.TreeMap<>();
        slow.forEach((name, e) -> sl.put(name, e.state()));
        return new State(f, sl, new java.util.TreeMap<>(breaches), exploding.stream().sorted().toList(), vanishing,
                vanishingActive);
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        String lowest = null;
        String highest = null;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        String tiny = null;
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String name = e.getKey();
            double v = e.getValue();
            if (!MetricNames.isGradNorm(name) || !Double.isFinite(v) || v < 0) {
                continue;
            }
            double lg = Math.log10(Math.max(v, 1e-30));
            Ewma f = fast.computeIfAbsent(name, n -> new Ewma(0.3));
            Ewma s = slow.computeIfAbsent(name, n -> new Ewma(0.01));
            double baseline = s.mean();
            double fm = f.add(lg);
            s.add(lg);
            if (f.count() > WARMUP) {
                int b = fm - baseline > explodeDecades ? breaches.getOrDefault(name, 0) + 1 : 0;
                breaches.put(name, b);
                if (b == 0) {
                    exploding.remove(name);
                } else if (b >= CONFIRM && exploding.add(name)) {
                    out.add(new TrainingProblem("exploding_gradients", TrainingProblem.CRITICAL, step, name,
                            Math.pow(10, fm - baseline), String.format("%s explodes: %.3g, %.0fx its usual level %.3g; "
                                    + "clip gradients or lower the learning rate", name, v,
                                    Math.pow(10, fm - baseline), Math.pow(10, baseline))));
                }
                if (fm < Math.log10(vanishAbs)) {
                    tiny = name;
                }
                if (MetricNames.isLayer(name, MetricNames.GRAD_NORM)) {
                    if (fm < lo) {
                        lo = fm;
                        lowest = name;
                    }
                    if (fm > hi) {
                        hi = fm;
                        highest = name;
                    }
                }
            }
        }
        boolean spread = lowest != null && hi - lo > spreadDecades;
        vanishing = spread || tiny != null ? vanishing + 1 : 0;
        if (vanishing == 0) {
            vanishingActive = false;
        } else if (vanishing >= VANISH_CONFIRM && !vanishingActive) {
            vanishingActive = true;
            String message = spread
                    ? String.format("vanishing gradients: the gradient norm of %s (%.3g) is %.0fx smaller than that of "
                            + "%s (%.3g); the first layers barely learn (use ReLU-family activations, normalisation, "
                            + "residual connections or a better initialisation)", lowest, Math.pow(10, lo),
                            Math.pow(10, hi - lo), highest, Math.pow(10, hi))
                    : String.format("vanishing gradients: %s is %.3g, below %.0e", tiny,
                            Math.pow(10, fast.get(tiny).mean()), vanishAbs);
            out.add(new TrainingProblem("vanishing_gradients", TrainingProblem.WARNING, step, spread ? lowest : tiny,
                    spread ? Math.pow(10, lo - hi) : Math.pow(10, fast.get(tiny).mean()), message));
        }
    }
}
