package dev.modelwatch.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parse once, evaluate many times: a threshold rule over 1,000 series of 1,000 samples each allocates
 * per selected series and per result, never per sample. Measured with the JVM's per-thread allocation
 * counter ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}; the test is skipped on a JVM
 * without it). One boxed value per sample would be 16 MB per evaluation; the bound is 200 KB, some ten
 * times what the two 1,000-element arrays and 100 results take.
 */
class RuleEvaluationAllocationTest {
    private static final int SERIES = 1000;
    private static final int SAMPLES = 1000;
    private static final long T = 1_000_000_000L;

    @Test
    void thresholdRuleOverAThousandSeriesDoesNotAllocatePerSample() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter available");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        List<RangeSeries> stored = new ArrayList<>();
        for (int s = 0; s < SERIES; s++) {
            long[] ts = new long[SAMPLES];
            double[] v = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                ts[i] = T - (SAMPLES - 1 - i) * 1000L;
                v[i] = s % 10 == 0 ? 0.85 : 0.95; // every tenth series below the threshold
            }
            stored.add(new RangeSeries(SeriesLabels.of("__name__", "accuracy", "model", "m", "segment", "s" + s), ts, v));
        }
        List<RangeSeries> view = List.copyOf(stored);
        SeriesSource store = (name, matchers, from, to) -> view; // a store handing over its buffers
        RuleExpression rule = RuleExpression.parse("accuracy{model=\"m\"} < 0.9");

        for (int i = 0; i < 200; i++) { // warm up: class loading, JIT
            rule.evaluate(store, T);
        }
        long thread = Thread.currentThread().getId();
        int evaluations = 50;
        long before = threads.getThreadAllocatedBytes(thread);
        int results = 0;
        for (int i = 0; i < evaluations; i++) {
            results += rule.evaluate(store, T).size();
        }
        long perEvaluation = (threads.getThreadAllocatedBytes(thread) - before) / evaluations;

        assertThat(results).isEqualTo(evaluations * SERIES / 10);
        assertThat(perEvaluation).as("bytes allocated per evaluation of %d samples", SERIES * SAMPLES)
                .isLessThan(200_000L);
    }
}
