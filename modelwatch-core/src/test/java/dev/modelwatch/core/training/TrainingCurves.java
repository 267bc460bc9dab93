package dev.modelwatch.core.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * Synthetic, noisy training runs: a healthy run of a chosen shape, with every metric the client's
 * PyTorch helper sends (loss, val_loss every 10 steps, lr, grad_norm overall and for four layers,
 * update ratios, dead and saturated fractions, step time with a slow checkpoint step every 500 steps,
 * GPU memory with its limit), and faults injected into it from a step on.
 */
final class TrainingCurves {
    static final String[] LAYERS = {"fc1", "fc2", "fc3", "out"};
    static final double MEMORY_LIMIT = 80e9;

    /** A healthy run's shape: the loss in [0, 1] of its way from initial to final, and the learning rate. */
    record Shape(String name, int steps, double initial, double floor, double noise, double rho,
                 DoubleUnaryOperator progress, DoubleUnaryOperator lr) {
    }

    /** How a run goes wrong from {@code at} on; null for none. */
    interface Fault {
        void apply(int step, int at, Map<String, Double> m, SplittableRandom rnd);
    }

    static List<Shape> healthyShapes() {
        List<Shape> s = new ArrayList<>();
        DoubleUnaryOperator constLr = t -> 1e-3;
        s.add(new Shape("fast exponential", 2000, 2.3, 0.05, 0.05, 0, t -> Math.exp(-t / 100), constLr));
        s.add(new Shape("slow exponential", 3000, 2.3, 0.2, 0.05, 0, t -> Math.exp(-t / 1500), constLr));
        s.add(new Shape("very noisy", 2000, 2.3, 0.3, 0.30, 0, t -> Math.exp(-t / 400), constLr));
        s.add(new Shape("autocorrelated noise", 2000, 2.3, 0.3, 0.10, 0.9, t -> Math.exp(-t / 400), constLr));
        s.add(new Shape("warm-up then cosine", 3000, 2.3, 0.1, 0.08, 0,
                t -> t < 200 ? 1 : Math.exp(-(t - 200) / 500), t -> t < 200 ? 1e-3 * (t + 1) / 200
                        : 1e-3 * 0.5 * (1 + Math.cos(Math.PI * (t - 200) / 2800))));
        s.add(new Shape("exponential warm-up", 2000, 2.3, 0.1, 0.08, 0,
                t -> t < 100 ? 1 : Math.exp(-(t - 100) / 300), t -> t < 100 ? 1e-5 * Math.pow(100, t / 100) : 1e-3));
        s.add(new Shape("cosine restarts", 3000, 2.3, 0.1, 0.06, 0,
                t -> Math.exp(-t / 600) * (1 + 0.25 * Math.exp(-(t % 500) / 40.0)),
                t -> 1e-3 * 0.5 * (1 + Math.cos(Math.PI * (t % 500) / 500)) + 1e-6));
        s.add(new Shape("step schedule", 2500, 2.3, 0.05, 0.07, 0,
                t -> t < 1000 ? 0.4 + 0.6 * Math.exp(-t / 200) : t < 1800 ? 0.15 + 0.25 * Math.exp(-(t - 1000) / 100)
                        : 0.1 * Math.exp(-(t - 1800) / 200) + 0.05, t -> t < 1000 ? 1e-2 : t < 1800 ? 1e-3 : 1e-4));
        s.add(new Shape("power law", 3000, 2.3, 0.0, 0.06, 0, t -> 1 / Math.sqrt(1 + t / 10), constLr));
        s.add(new Shape("delayed drop", 2000, 2.3, 0.1, 0.05, 0,
                t -> t < 200 ? 1 - 0.0005 * t : 0.9 * Math.exp(-(t - 200) / 150), constLr));
        s.add(new Shape("linear", 2000, 2.3, 0.3, 0.05, 0, t -> Math.max(0, 1 - t / 2000), constLr));
        s.add(new Shape("sigmoid drop", 2000, 2.3, 0.1, 0.05, 0, t -> 1 / (1 + Math.exp((t - 250) / 60)), constLr));
        s.add(new Shape("tiny scale", 2000, 0.01, 0.001, 0.08, 0, t -> Math.exp(-t / 300), constLr));
        s.add(new Shape("large scale", 2000, 1000, 10, 0.08, 0, t -> Math.exp(-t / 300), constLr));
        s.add(new Shape("early convergence", 4000, 2.3, 0.2, 0.05, 0, t -> Math.exp(-t / 50), constLr));
        s.add(new Shape("fine-tuning", 2000, 0.6, 0.25, 0.10, 0, t -> Math.exp(-t / 600), constLr));
        s.add(new Shape("noisy and correlated", 2000, 2.3, 0.3, 0.20, 0.7, t -> Math.exp(-t / 300), constLr));
        s.add(new Shape("linear decay schedule", 2000, 2.3, 0.1, 0.06, 0, t -> Math.exp(-t / 250),
                t -> 1e-3 * (1 - t / 2000.0) + 1e-6));
        s.add(new Shape("slow start", 2500, 2.3, 0.1, 0.05, 0, t -> 1 / (1 + Math.pow(t / 300, 2)), constLr));
        s.add(new Shape("one-cycle", 2000, 2.3, 0.08, 0.07, 0, t -> Math.exp(-t / 350),
                t -> t < 600 ? 1e-4 + 1e-3 * t / 600 : 1.1e-3 * Math.max(0.01, 1 - (t - 600) / 1400.0)));
        s.add(new Shape("short run", 300, 2.3, 0.2, 0.05, 0, t -> Math.exp(-t / 60), constLr));
        s.add(new Shape("long run", 20000, 2.3, 0.05, 0.05, 0, t -> Math.exp(-t / 3000), constLr));
        s.add(new Shape("noisy fast", 2000, 2.3, 0.05, 0.25, 0, t -> Math.exp(-t / 80), constLr));
        s.add(new Shape("cosine restarts noisy", 3000, 1.0, 0.05, 0.15, 0,
                t -> Math.exp(-t / 800) * (1 + 0.3 * Math.exp(-(t % 750) / 60.0)),
                t -> 1e-3 * 0.5 * (1 + Math.cos(Math.PI * (t % 750) / 750)) + 1e-6));
        return s;
    }

    /** The run's logged steps; a fault, when given, changes them from step {@code at} on. */
    static List<Map<String, Double>> run(Shape shape, long seed, Fault fault, int at) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Map<String, Double>> steps = new ArrayList<>(shape.steps());
        double ar = 0;
        double memory = 0.3 * MEMORY_LIMIT;
        for (int t = 0; t < shape.steps(); t++) {
            Map<String, Double> m = new LinkedHashMap<>();
            double p = shape.progress().applyAsDouble(t);
            ar = shape.rho() * ar + Math.sqrt(1 - shape.rho() * shape.rho()) * gaussian(rnd);
            double clean = shape.floor() + (shape.initial() - shape.floor()) * p;
            double loss = clean * Math.exp(shape.noise() * ar - shape.noise() * shape.noise() / 2);
            double lr = shape.lr().applyAsDouble(t);
            m.put("loss", loss);
            if (t % 10 == 9) {
                m.put("val_loss", clean * 1.08 * Math.exp(0.03 * gaussian(rnd)));
            }
            m.put("lr", lr);
            double g = (0.5 + 2 * p) * Math.exp(0.3 * gaussian(rnd));
            m.put("grad_norm", g);
            for (int l = 0; l < LAYERS.length; l++) {
                m.put("grad_norm/" + LAYERS[l], g * (0.3 + 0.2 * l) * Math.exp(0.2 * gaussian(rnd)));
                m.put("update_ratio/" + LAYERS[l], Math.max(1e-9, lr) * Math.exp(0.3 * gaussian(rnd)));
                if (l < LAYERS.length - 1) {
                    m.put("dead_fraction/" + LAYERS[l], clamp(0.15 + 0.05 * l + 0.03 * gaussian(rnd)));
                    m.put("saturation/" + LAYERS[l], clamp(0.02 + 0.01 * gaussian(rnd)));
                }
            }
            m.put("step_time_s", 0.12 * Math.exp(0.1 * gaussian(rnd)) * (t > 0 && t % 500 == 0 ? 8 : 1)
                    * (t < 3 ? 20 : 1));
            memory = t < 20 ? 0.3 * MEMORY_LIMIT * (0.5 + t / 40.0) : 0.3 * MEMORY_LIMIT;
            m.put("gpu_memory_bytes", memory * (1 + 0.002 * gaussian(rnd)) + (t % 100) * 1e6);
            m.put("gpu_memory_limit_bytes", MEMORY_LIMIT);
            if (fault != null && t >= at) {
                fault.apply(t, at, m, rnd);
            }
            steps.add(m);
        }
        return steps;
    }

    static double gaussian(SplittableRandom rnd) {
        double u = rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
