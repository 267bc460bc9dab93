package dev.modelwatch.server.agent;

import java.util.List;
import java.util.Map;

/**
 * One reading of one GPU.
 *
 * @param index   the GPU's index on its host
 * @param uuid    its UUID, when known
 * @param values  metric name (e.g. {@code gpu_utilization}) → value; a field the GPU did not report
 *                ({@code [N/A]}, {@code [Not Supported]}) is absent and named in {@code missing}
 * @param missing the fields that were not reported
 */
public record GpuSample(int index, String uuid, Map<String, Double> values, List<String> missing) {
}
