package dev.modelwatch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs an in-process, CPU-bound stage over the workload's bodies on N threads: a warm-up, then a
 * measured interval. Each thread measures its own interval (from its first body started after the
 * warm-up to its last body finished) and its own CPU time over it, so that no body is counted by
 * halves; the throughput is the sum of the threads' rates.
 *
 * <pre>{@code
 * ThroughputRun.Result r = ThroughputRun.run("parse-only", 2, workload, Duration.ofSeconds(2),
 *         Duration.ofSeconds(4), () -> new ThroughputRun.BodyTask() { ... });
 * }</pre>
 */
final class ThroughputRun {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The work done on one body; one instance per thread. */
    interface BodyTask {
        /** Processes the body; returns the number of events it handled. */
        int process(byte[] body);

        /** A value depending on all the work done, published so that the JIT cannot drop the work. */
        long checksum();
    }

    /**
     * @param seconds     mean measured interval of the threads
     * @param cpuSeconds  CPU time of the worker threads over their measured intervals
     * @param processCpuSeconds       CPU time of the whole JVM over the measured interval (GC and JIT included)
     * @param otherProcessesCpuSeconds CPU time other processes on the machine took meanwhile: noise
     */
    record Result(String name, int threads, long events, long bytes, double seconds, double eventsPerSecond,
                  double bytesPerSecond, double cpuSeconds, double processCpuSeconds, double otherProcessesCpuSeconds,
                  double gcSeconds, long checksum) {
        double mbPerSecond() {
            return bytesPerSecond / 1e6;
        }

        /** CPU time per event, in microseconds. */
        double cpuMicrosPerEvent() {
            return events == 0 ? Double.NaN : cpuSeconds * 1e6 / events;
        }
    }

    private static final class Worker {
        long events;
        long bytes;
        long nanos;
        long cpuNanos;
        long checksum;
    }

    private ThroughputRun() {
    }

    static Result run(String name, int threads, PredictionWorkload workload, Duration warmup, Duration measure,
                      Supplier<BodyTask> tasks) throws InterruptedException {
        List<byte[]> bodies = workload.bodies();
        int expected = workload.eventsPerBody();
        long start = System.nanoTime();
        long warmEnd = start + warmup.toNanos();
        long end = warmEnd + measure.toNanos();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker();
            workers.add(w);
            int firstBody = t * bodies.size() / threads;
            BodyTask task = tasks.get();
            Thread thread = new Thread(() -> {
                try {
                    loop(task, bodies, firstBody, expected, warmEnd, end, w, failure);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-" + name + "-" + t);
            started.add(thread);
        }
        for (Thread t : started) {
            t.start();
        }
        sleepUntil(warmEnd);
        ThreadCpuSnapshot before = ThreadCpuSnapshot.take();
        sleepUntil(end);
        ThreadCpuSnapshot after = ThreadCpuSnapshot.take();
        for (Thread t : started) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(name + " failed: " + failure.get(), failure.get());
        }
        long events = 0;
        long bytes = 0;
        long cpu = 0;
        long checksum = 0;
        double nanos = 0;
        double eventsPerSecond = 0;
        double bytesPerSecond = 0;
        for (Worker w : workers) {
            events += w.events;
            bytes += w.bytes;
            cpu += w.cpuNanos;
            checksum += w.checksum;
            nanos += w.nanos;
            eventsPerSecond += w.events / (w.nanos / 1e9);
            bytesPerSecond += w.bytes / (w.nanos / 1e9);
        }
        return new Result(name, threads, events, bytes, nanos / threads / 1e9, eventsPerSecond, bytesPerSecond,
                cpu / 1e9, after.processCpuSecondsSince(before), after.otherProcessesCpuSecondsSince(before),
                after.gcSecondsSince(before), checksum);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
        }
    }

    private static void loop(BodyTask task, List<byte[]> bodies, int firstBody, int expected, long warmEnd, long end,
                             Worker w, AtomicReference<Throwable> failure) {
        int i = firstBody;
        boolean measuring = false;
        long measureStart = 0;
        long cpuStart = 0;
        while (failure.get() == null) {
            long now = System.nanoTime();
            if (!measuring && now >= warmEnd) {
                measuring = true;
                measureStart = now;
                cpuStart = THREADS.getCurrentThreadCpuTime();
            }
            if (now >= end) {
                break;
            }
            byte[] body = bodies.get(i);
            int n = task.process(body);
            if (n != expected) {
                throw new IllegalStateException("a body of " + expected + " events gave " + n);
            }
            if (measuring) {
                w.events += n;
                w.bytes += body.length;
            }
            i = (i + 1) % bodies.size();
        }
        w.nanos = System.nanoTime() - measureStart;
        w.cpuNanos = THREADS.getCurrentThreadCpuTime() - cpuStart;
        w.checksum = task.checksum();
    }
}
