package dev.modelwatch.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * CPU time (user + system) of every live Java thread of this JVM, of the whole process, and of the
 * whole machine, at one moment. The difference of two snapshots, grouped by a thread's role, says
 * where the CPU of an interval went: the load generator and the server run in this one JVM, so the
 * client's share can be told apart from the server's.
 *
 * <p>The process total exceeds the sum of the Java threads by the threads no Java thread object
 * stands for — the JVM's garbage collectors and JIT compilers, RocksDB's flush and compaction
 * threads — and by threads that ended inside the interval. The first three are told apart by
 * their names in {@code /proc/self/task} (Linux); what is left is reported as its own line.
 *
 * <pre>{@code
 * ThreadCpuSnapshot before = ThreadCpuSnapshot.take();
 * ... load ...
 * Map<String, Double> seconds = ThreadCpuSnapshot.take().secondsByRole(before, IngestLoadBenchmark::role, Map.of());
 * }</pre>
 */
final class ThreadCpuSnapshot {
    /** The name of the remainder line: process CPU not seen on a live Java thread nor a named native one. */
    static final String JVM_REMAINDER = "jvm: other native and ended threads";
    /** Native threads by the start of their name (Linux keeps 15 characters), and the line they go to. */
    private static final Map<String, String> NATIVE_GROUPS = Map.of(
            "GC Thread", "jvm: garbage collection",
            "VM Thread", "jvm: garbage collection",
            "C1 CompilerThre", "jvm: JIT compilers",
            "C2 CompilerThre", "jvm: JIT compilers",
            "rocksdb:", "server: RocksDB flush and compaction");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private record ThreadCpu(String name, long cpuNanos) {
    }

    /** Linux's USER_HZ: /proc/stat counts in these ticks on every mainstream architecture. */
    private static final double TICKS_PER_SECOND = 100;

    private final long wallNanos;
    private final long processCpuNanos;
    private final long[] machineTicks;
    private final long gcCount;
    private final long gcMillis;
    private final long jitMillis;
    private final Map<Long, ThreadCpu> threads;
    /** Clock ticks of the live native threads of each {@link #NATIVE_GROUPS} line, by task id. */
    private final Map<String, Map<String, Long>> nativeTicks;

    private ThreadCpuSnapshot(long wallNanos, long processCpuNanos, long[] machineTicks, long gcCount, long gcMillis,
                              long jitMillis, Map<Long, ThreadCpu> threads, Map<String, Map<String, Long>> nativeTicks) {
        this.nativeTicks = nativeTicks;
        this.wallNanos = wallNanos;
        this.processCpuNanos = processCpuNanos;
        this.machineTicks = machineTicks;
        this.gcCount = gcCount;
        this.gcMillis = gcMillis;
        this.jitMillis = jitMillis;
        this.threads = threads;
    }

    static ThreadCpuSnapshot take() {
        Map<Long, ThreadCpu> threads = new HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = THREADS.getThreadCpuTime(ids[i]);
            if (infos[i] != null && cpu >= 0) {
                threads.put(ids[i], new ThreadCpu(infos[i].getThreadName(), cpu));
            }
        }
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        long jit = ManagementFactory.getCompilationMXBean() == null ? 0
                : ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        return new ThreadCpuSnapshot(System.nanoTime(), processCpuNanos(), machineTicks(), gcCount, gcMillis, jit,
                threads, nativeTicks());
    }

    /** Per line of {@link #NATIVE_GROUPS}: task id to user + system ticks; empty where /proc is missing. */
    private static Map<String, Map<String, Long>> nativeTicks() {
        Map<String, Map<String, Long>> out = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open) {
                    continue;
                }
                String name = stat.substring(open + 1, close);
                String line = null;
                for (Map.Entry<String, String> g : NATIVE_GROUPS.entrySet()) {
                    if (name.startsWith(g.getKey())) {
                        line = g.getValue();
                    }
                }
                if (line == null) {
                    continue;
                }
                // after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
                String[] f = stat.substring(close + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                out.computeIfAbsent(line, k -> new HashMap<>()).put(task.getFileName().toString(), ticks);
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /** {@code [busy, total]} clock ticks of all CPUs since boot, from /proc/stat; {@code null} elsewhere. */
    private static long[] machineTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long total = 0;
            long idle = 0;
            // cpu user nice system idle iowait irq softirq steal [guest guest_nice: already in user]
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    double secondsSince(ThreadCpuSnapshot before) {
        return (wallNanos - before.wallNanos) / 1e9;
    }

    double processCpuSecondsSince(ThreadCpuSnapshot before) {
        return (processCpuNanos - before.processCpuNanos) / 1e9;
    }

    /**
     * CPU seconds that other processes on the machine used over the interval (machine busy time
     * less this process): the noise a shared machine adds. NaN where /proc/stat is missing.
     */
    double otherProcessesCpuSecondsSince(ThreadCpuSnapshot before) {
        if (machineTicks == null || before.machineTicks == null) {
            return Double.NaN;
        }
        double machineBusy = (machineTicks[0] - before.machineTicks[0]) / TICKS_PER_SECOND;
        return Math.max(0, machineBusy - processCpuSecondsSince(before));
    }

    /** Garbage collections over the interval, and the time the collectors report for them (pauses, mostly). */
    long gcCountSince(ThreadCpuSnapshot before) {
        return gcCount - before.gcCount;
    }

    double gcSecondsSince(ThreadCpuSnapshot before) {
        return (gcMillis - before.gcMillis) / 1000.0;
    }

    /**
     * Time the JIT compilers spent over the interval: elapsed time summed over the compiler threads,
     * so time a compiler thread waited for a CPU counts too. A sign of JIT activity, not CPU.
     */
    double jitSecondsSince(ThreadCpuSnapshot before) {
        return (jitMillis - before.jitMillis) / 1000.0;
    }

    /**
     * CPU seconds of the interval by role (threads born inside it count from zero), plus the
     * {@link #JVM_REMAINDER}; in descending order.
     *
     * @param ended CPU seconds of threads that ended inside the interval, by role, as they measured
     *              themselves: added to their role and taken out of the remainder
     */
    Map<String, Double> secondsByRole(ThreadCpuSnapshot before, Function<String, String> role, Map<String, Double> ended) {
        Map<String, Long> nanos = new TreeMap<>();
        long threadTotal = 0;
        for (Map.Entry<Long, ThreadCpu> e : threads.entrySet()) {
            ThreadCpu earlier = before.threads.get(e.getKey());
            long delta = e.getValue().cpuNanos() - (earlier == null ? 0 : earlier.cpuNanos());
            if (delta <= 0) {
                continue;
            }
            nanos.merge(role.apply(e.getValue().name()), delta, Long::sum);
            threadTotal += delta;
        }
        for (Map.Entry<String, Double> e : ended.entrySet()) {
            long n = Math.round(e.getValue() * 1e9);
            nanos.merge(e.getKey(), n, Long::sum);
            threadTotal += n;
        }
        long process = processCpuNanos - before.processCpuNanos;
        long remainder = processCpuNanos >= 0 ? process - threadTotal : 0;
        for (Map.Entry<String, Map<String, Long>> line : nativeTicks.entrySet()) {
            Map<String, Long> earlier = before.nativeTicks.getOrDefault(line.getKey(), Map.of());
            long ticks = 0;
            for (Map.Entry<String, Long> task : line.getValue().entrySet()) {
                ticks += task.getValue() - earlier.getOrDefault(task.getKey(), 0L);
            }
            long n = Math.min(Math.max(0, remainder), Math.round(ticks / TICKS_PER_SECOND * 1e9));
            if (n > 0) {
                nanos.merge(line.getKey(), n, Long::sum);
                remainder -= n;
            }
        }
        if (remainder > 0) {
            nanos.merge(JVM_REMAINDER, remainder, Long::sum);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue() / 1e9));
        return out;
    }
}
