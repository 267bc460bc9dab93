package dev.modelwatch.server.agent;

import static dev.modelwatch.server.agent.ResourceMetrics.GPU_ECC_UNCORRECTED_ERRORS;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_MEMORY_TOTAL_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_MEMORY_USED_BYTES;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_MEMORY_UTILIZATION;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_POWER_WATTS;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_TEMPERATURE_CELSIUS;
import static dev.modelwatch.server.agent.ResourceMetrics.GPU_UTILIZATION;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NVIDIA GPUs read through {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits}: one line per GPU,
 * the fields in the order asked. {@code [N/A]} and {@code [Not Supported]} are fields the GPU does not report
 * (absent from the sample, named in {@link GpuSample#missing()}); a line with fewer fields, a value that is
 * not a number, an error exit or a call that hangs past the runner's timeout is an error with its reason.
 *
 * <pre>{@code
 * List<GpuSample> gpus = new NvidiaSmi("nvidia-smi", new CommandRunner(Duration.ofSeconds(5))).read();
 * }</pre>
 */
public final class NvidiaSmi implements GpuSource {
    /** The fields asked for, in order, and the metric each becomes (with its unit factor to SI/bytes). */
    static final List<Field> FIELDS = List.of(
            new Field("index", null, 1),
            new Field("uuid", null, 1),
            new Field("utilization.gpu", GPU_UTILIZATION, 1),
            new Field("utilization.memory", GPU_MEMORY_UTILIZATION, 1),
            new Field("memory.used", GPU_MEMORY_USED_BYTES, 1024 * 1024),
            new Field("memory.total", GPU_MEMORY_TOTAL_BYTES, 1024 * 1024),
            new Field("temperature.gpu", GPU_TEMPERATURE_CELSIUS, 1),
            new Field("power.draw", GPU_POWER_WATTS, 1),
            new Field("ecc.errors.uncorrected.volatile.total", GPU_ECC_UNCORRECTED_ERRORS, 1));

    record Field(String query, String metric, double factor) {
    }

    private final String executable;
    private final CommandRunner runner;

    public NvidiaSmi(String executable, CommandRunner runner) {
        this.executable = executable;
        this.runner = runner;
    }

    /** The command line that is run. */
    public List<String> command() {
        return List.of(executable, "--query-gpu=" + String.join(",", FIELDS.stream().map(Field::query).toList()),
                "--format=csv,noheader,nounits");
    }

    /** Reads every GPU now. */
    @Override
    public List<GpuSample> read() throws GpuException {
        CommandRunner.Result r;
        try {
            r = runner.run(command());
        } catch (IOException e) {
            throw new GpuException("no NVIDIA GPU: " + executable + " cannot be run (" + e.getMessage() + ")");
        }
        if (r.timedOut()) {
            throw new GpuException(executable + " did not answer in time and was killed");
        }
        if (r.exitCode() != 0) {
            String why = (r.stdout() + " " + r.stderr()).strip();
            throw new GpuException(executable + " failed with exit code " + r.exitCode()
                    + (why.isEmpty() ? "" : ": " + why.lines().findFirst().orElse("")));
        }
        return parse(r.stdout());
    }

    /** Parses the CSV answer. */
    static List<GpuSample> parse(String csv) throws GpuException {
        List<GpuSample> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : csv.split("\\R")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells.length != FIELDS.size()) {
                throw new GpuException("nvidia-smi line " + lineNo + ": " + cells.length + " fields, expected "
                        + FIELDS.size() + " (" + String.join(",", FIELDS.stream().map(Field::query).toList()) + ")");
            }
            int index;
            try {
                index = Integer.parseInt(cells[0].strip());
            } catch (NumberFormatException e) {
                throw new GpuException("nvidia-smi line " + lineNo + ": index '" + cells[0].strip() + "' is not a number");
            }
            String uuid = cells[1].strip();
            Map<String, Double> values = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            for (int i = 2; i < cells.length; i++) {
                String cell = cells[i].strip();
                Field f = FIELDS.get(i);
                if (cell.startsWith("[") || cell.isEmpty()) {
                    missing.add(f.query());
                    continue;
                }
                try {
                    values.put(f.metric(), Double.parseDouble(cell) * f.factor());
                } catch (NumberFormatException e) {
                    throw new GpuException("nvidia-smi line " + lineNo + ": " + f.query() + " '" + cell + "' is not a number");
                }
            }
            out.add(new GpuSample(index, uuid.startsWith("[") ? null : uuid, values, missing));
        }
        if (out.isEmpty()) {
            throw new GpuException("no NVIDIA GPU: nvidia-smi listed none");
        }
        return out;
    }
}
