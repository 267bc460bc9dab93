package dev.modelwatch.core.training;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A NaN or infinite loss ({@code loss}, {@code val_loss}) or gradient norm ({@code grad_norm},
 * {@code grad_norm/<layer>}): critical at the first such step (SageMaker Debugger's LossNotDecreasing
 * cannot see it; its ExplodingTensor rule checks the same for tensors).
 */
public final class NonFiniteDetector implements StepDetector {
    private final Set<String> active = new HashSet<>();

    /** What the detector has seen, to continue after a restart: the series now non-finite. */
    public record State(java.util.List<String> active) {
    }

    NonFiniteDetector(State s) {
        if (s != null && s.active() != null) {
            active.addAll(s.active());
        }
    }

    State state() {
        return new State(active.stream().sorted().toList());
    }

    @Override
    public void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out) {
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String name = e.getKey();
            boolean loss = name.equals("loss") || name.equals("val_loss");
            boolean grad = MetricNames.isGradNorm(name);
            if (!loss && !grad) {
                continue;
            }
            double v = e.getValue();
            if (Double.isFinite(v)) {
                active.remove(name);
            } else if (active.add(name)) {
                out.add(new TrainingProblem(loss ? "nan_loss" : "nan_gradient", TrainingProblem.CRITICAL, step, name, v,
                        name + " is " + v + " at step " + step + (loss ? ": the run diverged numerically (lower the "
                                + "learning rate, clip gradients, check the inputs for NaN)"
                                : ": a gradient overflowed")));
            }
        }
    }
}
