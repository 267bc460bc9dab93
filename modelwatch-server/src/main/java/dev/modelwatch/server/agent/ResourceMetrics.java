package dev.modelwatch.server.agent;

import java.util.List;

/**
 * The names of the {@code metric} events that {@code modelwatch agent} sends, the one list that its
 * readers ({@link HostMetrics}, {@link NvidiaSmi}, {@link DcgmMetrics}) write and that the readers of
 * resources (the diagnosis's infrastructure cause) read. Utilizations are percents (0..100; a
 * process's CPU may pass 100 on several cores), memory in bytes.
 */
public final class ResourceMetrics {
    public static final String HOST_CPU_UTILIZATION = "host_cpu_utilization";
    public static final String HOST_CPU_COUNT = "host_cpu_count";
    public static final String HOST_MEMORY_TOTAL_BYTES = "host_memory_total_bytes";
    public static final String HOST_MEMORY_USED_BYTES = "host_memory_used_bytes";
    public static final String HOST_DISK_TOTAL_BYTES = "host_disk_total_bytes";
    public static final String HOST_DISK_USED_BYTES = "host_disk_used_bytes";
    public static final String PROCESS_CPU_UTILIZATION = "process_cpu_utilization";
    public static final String PROCESS_RESIDENT_MEMORY_BYTES = "process_resident_memory_bytes";
    public static final String GPU_UTILIZATION = "gpu_utilization";
    public static final String GPU_MEMORY_UTILIZATION = "gpu_memory_utilization";
    public static final String GPU_MEMORY_USED_BYTES = "gpu_memory_used_bytes";
    public static final String GPU_MEMORY_FREE_BYTES = "gpu_memory_free_bytes";
    public static final String GPU_MEMORY_TOTAL_BYTES = "gpu_memory_total_bytes";
    public static final String GPU_TEMPERATURE_CELSIUS = "gpu_temperature_celsius";
    public static final String GPU_POWER_WATTS = "gpu_power_watts";
    public static final String GPU_ECC_UNCORRECTED_ERRORS = "gpu_ecc_uncorrected_errors";

    /**
     * A load of a host, a process or a GPU, in percent: {@code metric}'s value itself, or as a share of
     * the same series' {@code total} (e.g. memory used of memory total) when {@code total} is not null.
     */
    public record Load(String metric, String total) {
    }

    /** The loads whose saturation can slow a model's serving: CPU, memory and GPU of its hosts. */
    public static final List<Load> LOADS = List.of(
            new Load(HOST_CPU_UTILIZATION, null),
            new Load(HOST_MEMORY_USED_BYTES, HOST_MEMORY_TOTAL_BYTES),
            new Load(PROCESS_CPU_UTILIZATION, null),
            new Load(GPU_UTILIZATION, null),
            new Load(GPU_MEMORY_UTILIZATION, null),
            new Load(GPU_MEMORY_USED_BYTES, GPU_MEMORY_TOTAL_BYTES));

    /** The labels that tell a host's series apart besides {@code host}: a GPU's index, a process's id. */
    public static final List<String> DEVICE_LABELS = List.of("gpu", "pid");

    private ResourceMetrics() {
    }
}
