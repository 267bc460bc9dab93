package dev.modelwatch.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nvidia-smi and DCGM exporter answers (fixtures in src/test/resources/agent, see its README). */
class GpuReadersTest {
    @TempDir
    Path dir;

    static String fixture(String name) throws IOException {
        try (InputStream in = GpuReadersTest.class.getResourceAsStream("/agent/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** An executable standing in for nvidia-smi: a shell script with this body. */
    Path fakeNvidiaSmi(String body) throws IOException {
        Path p = dir.resolve("nvidia-smi");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    NvidiaSmi nvidiaSmi(String body, Duration timeout) throws IOException {
        return new NvidiaSmi(fakeNvidiaSmi(body).toString(), new CommandRunner(timeout));
    }

    @Test
    void oneGpuIsReadWithItsMemoryInBytes() throws Exception {
        Files.writeString(dir.resolve("out.csv"), fixture("nvidia-smi-1gpu.csv"));
        List<GpuSample> gpus = nvidiaSmi("cat " + dir.resolve("out.csv"), Duration.ofSeconds(10)).read();
        assertThat(gpus).singleElement().satisfies(g -> {
            assertThat(g.index()).isZero();
            assertThat(g.uuid()).isEqualTo("GPU-5f1c2a9e-7b3d-4c1e-9a8f-2d6e0b4c7a11");
            assertThat(g.values()).containsEntry("gpu_utilization", 87.0)
                    .containsEntry("gpu_memory_used_bytes", 40213.0 * 1024 * 1024)
                    .containsEntry("gpu_memory_total_bytes", 81559.0 * 1024 * 1024)
                    .containsEntry("gpu_temperature_celsius", 64.0).containsEntry("gpu_power_watts", 412.35)
                    .containsEntry("gpu_ecc_uncorrected_errors", 0.0);
            assertThat(g.missing()).isEmpty();
        });
    }

    @Test
    void eightGpusAreReadInOrder() throws Exception {
        List<GpuSample> gpus = NvidiaSmi.parse(fixture("nvidia-smi-8gpu.csv"));
        assertThat(gpus).extracting(GpuSample::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(gpus.get(3).values()).containsEntry("gpu_utilization", 0.0);
        assertThat(gpus.get(5).values()).containsEntry("gpu_ecc_uncorrected_errors", 2.0);
    }

    @Test
    void notAvailableFieldsAreMissingNotZero() throws Exception {
        GpuSample g = NvidiaSmi.parse(fixture("nvidia-smi-na.csv")).get(0);
        assertThat(g.values()).doesNotContainKeys("gpu_power_watts", "gpu_ecc_uncorrected_errors")
                .containsEntry("gpu_utilization", 35.0);
        assertThat(g.missing()).containsExactly("power.draw", "ecc.errors.uncorrected.volatile.total");
    }

    @Test
    void aLineWithAFieldMissingIsAnErrorNamingTheFields() {
        assertThatThrownBy(() -> NvidiaSmi.parse(fixture("nvidia-smi-missing-field.csv")))
                .isInstanceOf(GpuException.class).hasMessageStartingWith("nvidia-smi line 1: 8 fields, expected 9 (index,uuid,");
    }

    @Test
    void anErrorExitSaysWhy() throws Exception {
        NvidiaSmi smi = nvidiaSmi("echo 'NVIDIA-SMI has failed because it couldn'\"'\"'t communicate with the NVIDIA driver.'; exit 9",
                Duration.ofSeconds(10));
        assertThatThrownBy(smi::read).isInstanceOf(GpuException.class)
                .hasMessageEndingWith("failed with exit code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.");
    }

    @Test
    void aHungCallIsKilledAtTheTimeout() throws Exception {
        NvidiaSmi smi = nvidiaSmi("echo started > " + dir.resolve("started") + "; exec sleep 600", Duration.ofMillis(500));
        assertThatThrownBy(smi::read).isInstanceOf(GpuException.class).hasMessageEndingWith("did not answer in time and was killed");
        assertThat(dir.resolve("started")).exists();
    }

    @Test
    void noNvidiaSmiMeansNoGpu() {
        NvidiaSmi smi = new NvidiaSmi(dir.resolve("absent").toString(), new CommandRunner(Duration.ofSeconds(5)));
        assertThatThrownBy(smi::read).isInstanceOf(GpuException.class).hasMessageStartingWith("no NVIDIA GPU: ");
    }

    @Test
    void dcgmExporterPageGivesEachGpuWithItsXid() throws Exception {
        List<GpuSample> gpus = DcgmMetrics.parse(fixture("dcgm-metrics.txt"));
        assertThat(gpus).hasSize(2);
        assertThat(gpus.get(0).uuid()).isEqualTo("GPU-5f1c2a9e-7b3d-4c1e-9a8f-2d6e0b4c7a11");
        assertThat(gpus.get(0).values()).containsEntry("gpu_utilization", 87.0)
                .containsEntry("gpu_memory_used_bytes", 40213.0 * 1024 * 1024)
                .containsEntry("gpu_memory_total_bytes", (40213.0 + 40833.0) * 1024 * 1024)
                .containsEntry("gpu_power_watts", 412.35).containsEntry("gpu_temperature_celsius", 64.0)
                .doesNotContainKey("gpu_memory_free_bytes");
        assertThat(gpus.get(1).values()).containsEntry("gpu_xid_last", 79.0);
        assertThatThrownBy(() -> DcgmMetrics.parse("# nothing\n")).hasMessageStartingWith("no NVIDIA GPU");
        assertThatThrownBy(() -> DcgmMetrics.parse("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 1\n<html>"))
                .hasMessageContaining("line 2 is not a Prometheus sample");
    }
}
