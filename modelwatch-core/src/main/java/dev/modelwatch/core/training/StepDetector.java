package dev.modelwatch.core.training;

import java.util.List;
import java.util.Map;

/**
 * One detector of a training pathology, fed every logged step of one run in order. A detector reports
 * a problem when its condition starts to hold and stays quiet while it keeps holding; it may report
 * again once the condition cleared and came back.
 */
interface StepDetector {
    /**
     * @param step    the step (after a resume, lower than an earlier one)
     * @param metrics the step's metrics; values may be NaN or infinite
     * @param out     where found problems go
     */
    void observe(long step, Map<String, Double> metrics, List<TrainingProblem> out);
}
