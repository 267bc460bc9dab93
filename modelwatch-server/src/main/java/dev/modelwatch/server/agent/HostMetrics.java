package dev.modelwatch.server.agent;

import static dev.modelwatch.server.agent.ResourceMetrics.HOST_CPU_COUNT;
import static dev.modelwatch.server.agent.ResourceMetrics.HOST_CPU_UTILIZATION;
import static dev.modelwatch.server.agent.ResourceMetrics.HOST_DISK_TOTAL_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.HOST_DISK_USED_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.HOST_MEMORY_TOTAL_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.HOST_MEMORY_USED_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.PROCESS_CPU_UTILIZATION;
import static dev.modelwatch.server.agent.ResourceMetrics.PROCESS_RESIDENT_MEMORY_BYTES;

import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.software.os.OSFileStore;
import oshi.software.os.OSProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host's CPU, memory and disk use and, for watched processes, their CPU and resident memory, read
 * with OSHI. CPU use is measured between two calls (the first call reports none).
 */
public final class HostMetrics {
    /** One value with its labels (e.g. {@code {"mount": "/"}}). */
    public record Reading(String name, double value, Map<String, String> labels) {
    }

    private final SystemInfo system = new SystemInfo();
    private long[] previousTicks;
    private final Map<Integer, OSProcess> previousProcesses = new java.util.HashMap<>();

    /** Reads the host, and the processes with these ids. */
    public List<Reading> read(List<Integer> pids) {
        List<Reading> out = new ArrayList<>();
        CentralProcessor cpu = system.getHardware().getProcessor();
        long[] ticks = cpu.getSystemCpuLoadTicks();
        if (previousTicks != null) {
            out.add(new Reading(HOST_CPU_UTILIZATION, 100 * cpu.getSystemCpuLoadBetweenTicks(previousTicks), Map.of()));
        }
        previousTicks = ticks;
        out.add(new Reading(HOST_CPU_COUNT, cpu.getLogicalProcessorCount(), Map.of()));
        GlobalMemory memory = system.getHardware().getMemory();
        out.add(new Reading(HOST_MEMORY_TOTAL_BYTES, memory.getTotal(), Map.of()));
        out.add(new Reading(HOST_MEMORY_USED_BYTES, memory.getTotal() - memory.getAvailable(), Map.of()));
        for (OSFileStore fs : system.getOperatingSystem().getFileSystem().getFileStores(true)) {
            if (fs.getTotalSpace() <= 0) {
                continue;
            }
            Map<String, String> labels = Map.of("mount", fs.getMount());
            out.add(new Reading(HOST_DISK_TOTAL_BYTES, fs.getTotalSpace(), labels));
            out.add(new Reading(HOST_DISK_USED_BYTES, fs.getTotalSpace() - fs.getUsableSpace(), labels));
        }
        for (int pid : pids) {
            OSProcess p = system.getOperatingSystem().getProcess(pid);
            if (p == null) {
                continue;
            }
            Map<String, String> labels = Map.of("pid", Integer.toString(pid), "process", p.getName());
            OSProcess before = previousProcesses.put(pid, p);
            if (before != null) {
                out.add(new Reading(PROCESS_CPU_UTILIZATION, 100 * p.getProcessCpuLoadBetweenTicks(before), labels));
            }
            out.add(new Reading(PROCESS_RESIDENT_MEMORY_BYTES, p.getResidentMemory(), labels));
        }
        return out;
    }
}
