package dev.modelwatch.server.agent;

import static dev.modelwatch.server.agent.ResourceMetrics.GPU_ECC_UNCORRECTED_ERRORS;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_MEMORY_FREE_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_MEMORY_TOTAL_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_MEMORY_USED_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_MEMORY_UTILIZATION;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_POWER_WATTS;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_TEMPERATURE_CELSIUS;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_UTILIZATION;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPUs of a DCGM exporter's {@code /metrics} page (Prometheus text format), one {@link GpuSample} per
 * {@code gpu} label: utilisation, frame-buffer memory (MiB, turned into bytes), temperature, power,
 * uncorrected (double-bit) ECC errors and the last XID error. Other series are ignored.
 */
public final class DcgmMetrics {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)(\\s+\\S+)?\\s*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final double MIB = 1024 * 1024;
    private static final Map<String, String> NAMES = Map.of(
            "DCGM_FI_DEV_GPU_UTIL", GPU_UTILIZATION,
            "DCGM_FI_DEV_MEM_COPY_UTIL", GPU_MEMORY_UTILIZATION,
            "DCGM_FI_DEV_FB_USED", GPU_MEMORY_USED_BYTES,
            "DCGM_FI_DEV_FB_FREE", GPU_MEMORY_FREE_BYTES,
            "DCGM_FI_DEV_FB_TOTAL", GPU_MEMORY_TOTAL_BYTES,
            "DCGM_FI_DEV_GPU_TEMP", GPU_TEMPERATURE_CELSIUS,
            "DCGM_FI_DEV_POWER_USAGE", GPU_POWER_WATTS,
            "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", GPU_ECC_UNCORRECTED_ERRORS,
            "DCGM_FI_DEV_XID_ERRORS", "gpu_xid_last");

    private DcgmMetrics() {
    }

    /** Parses a page; a line that is neither a comment nor a sample is an error naming the line. */
    public static List<GpuSample> parse(String page) throws GpuException {
        Map<Integer, TreeMap<String, Double>> byGpu = new TreeMap<>();
        Map<Integer, String> uuids = new TreeMap<>();
        int lineNo = 0;
        for (String line : page.split("\\R")) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(l);
            if (!m.matches()) {
                throw new GpuException("DCGM exporter page line " + lineNo + " is not a Prometheus sample: " + abbreviate(l));
            }
            String metric = NAMES.get(m.group(1));
            if (metric == null) {
                continue;
            }
            String gpu = null;
            String uuid = null;
            if (m.group(3) != null) {
                Matcher lm = LABEL.matcher(m.group(3));
                while (lm.find()) {
                    if (lm.group(1).equals("gpu")) {
                        gpu = lm.group(2);
                    } else if (lm.group(1).equals("UUID")) {
                        uuid = lm.group(2);
                    }
                }
            }
            if (gpu == null) {
                throw new GpuException("DCGM exporter page line " + lineNo + ": " + m.group(1) + " has no gpu label");
            }
            int index;
            double value;
            try {
                index = Integer.parseInt(gpu);
                value = Double.parseDouble(m.group(4).replace("Inf", "Infinity"));
            } catch (NumberFormatException e) {
                throw new GpuException("DCGM exporter page line " + lineNo + ": gpu '" + gpu + "' or value '" + m.group(4)
                        + "' is not a number");
            }
            if (metric.endsWith("_bytes")) {
                value *= MIB;
            }
            byGpu.computeIfAbsent(index, i -> new TreeMap<>()).put(metric, value);
            if (uuid != null) {
                uuids.put(index, uuid);
            }
        }
        if (byGpu.isEmpty()) {
            throw new GpuException("no NVIDIA GPU: the DCGM exporter page has no DCGM_FI_DEV_* series");
        }
        List<GpuSample> out = new ArrayList<>();
        byGpu.forEach((index, values) -> {
            if (!values.containsKey(GPU_MEMORY_TOTAL_BYTES) && values.containsKey(GPU_MEMORY_USED_BYTES)
                    && values.containsKey(GPU_MEMORY_FREE_BYTES)) {
                values.put(GPU_MEMORY_TOTAL_BYTES, values.get(GPU_MEMORY_USED_BYTES) + values.get(GPU_MEMORY_FREE_BYTES));
            }
            values.remove(GPU_MEMORY_FREE_BYTES);
            List<String> missing = new ArrayList<>();
            for (String name : List.of(GPU_UTILIZATION, GPU_MEMORY_USED_BYTES, GPU_TEMPERATURE_CELSIUS, GPU_POWER_WATTS)) {
                if (!values.containsKey(name)) {
                    missing.add(name);
                }
            }
            out.add(new GpuSample(index, uuids.get(index), Map.copyOf(values), missing));
        });
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
