package dev.modelwatch.bench.micro;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports, beside each iteration's time per operation, the CPU time the forked
 * benchmark process spent per operation ({@code :cpu}, in the primary result's unit): the primary
 * score scaled by the process's CPU seconds over the iteration's wall seconds. On a machine shared
 * with other work the wall time per operation grows with the neighbours' load; the CPU time per
 * operation much less (it still includes the JIT and GC threads). Usage:
 * {@code java -cp modelwatch-bench-*-all.jar org.openjdk.jmh.Main -prof dev.modelwatch.bench.micro.ProcessCpuProfiler}.
 */
public final class ProcessCpuProfiler implements InternalProfiler {
    private final OperatingSystemMXBean os =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuStartNs;
    private long wallStartNs;

    @Override
    public String getDescription() {
        return "process CPU time per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuStartNs = os.getProcessCpuTime();
        wallStartNs = System.nanoTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        long wallNs = System.nanoTime() - wallStartNs;
        long cpuNs = os.getProcessCpuTime() - cpuStartNs;
        Result<?> primary = result.getPrimaryResult();
        double perOp = wallNs <= 0 ? Double.NaN : primary.getScore() * cpuNs / wallNs;
        return List.of(new ScalarResult("cpu", perOp, primary.getScoreUnit(), AggregationPolicy.AVG));
    }
}
