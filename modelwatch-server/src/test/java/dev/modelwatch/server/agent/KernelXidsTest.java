package dev.modelwatch.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** XID errors from the kernel log (fixture dmesg-xid.txt, see the agent fixtures' README). */
class KernelXidsTest {
    @TempDir
    Path dir;

    private KernelXids reader(String body) throws Exception {
        Path p = dir.resolve("dmesg");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new KernelXids(p.toString(), new CommandRunner(Duration.ofSeconds(10)));
    }

    private static long ms(String iso) {
        return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
    }

    @Test
    void xidLinesAreReadWithTheirGpuCodeAndTime() throws Exception {
        List<KernelXids.Xid> xids = new KernelXids("dmesg", null).parse(GpuReadersTest.fixture("dmesg-xid.txt"));
        assertThat(xids).hasSize(3);
        assertThat(xids.get(0)).isEqualTo(new KernelXids.Xid(ms("2026-12-04T10:15:02.531Z"), "0000:3b:00",
                "GPU-5f1c2a9e-7b3d-4c1e-9a8f-2d6e0b4c7a11", 13,
                "pid=48211, name=python3, Graphics SM Warp Exception on (GPC 0, TPC 1, SM 0): Out Of Range Address"));
        assertThat(xids.get(1).code()).isEqualTo(13);
        // an older driver's line: the bus without PCI:, and no "GPU at" line naming its UUID
        assertThat(xids.get(2)).isEqualTo(new KernelXids.Xid(ms("2026-12-04T11:40:19.887Z"), "0000:86:00", null, 79,
                "GPU has fallen off the bus."));
    }

    @Test
    void onlyXidsLoggedSinceTheLastReadingAreHandedOn() throws Exception {
        Path log = dir.resolve("kernel.log");
        Files.writeString(log, GpuReadersTest.fixture("dmesg-xid.txt"));
        KernelXids xids = reader("cat " + log);
        assertThat(xids.readNew()).as("the first reading notes where the log stands").isEmpty();
        assertThat(xids.readNew()).isEmpty();
        Files.writeString(log, "2026-12-04T11:40:19,887301+00:00 NVRM: Xid (0000:86:00): 79, GPU has fallen off the bus again.\n"
                + "2026-12-04T12:00:00,000001+00:00 NVRM: Xid (PCI:0000:3b:00): 48, An uncorrectable double bit error (DBE) "
                + "has been detected on GPU in the framebuffer at partition 6, subpartition 0.\n", StandardOpenOption.APPEND);
        List<KernelXids.Xid> fresh = xids.readNew();
        assertThat(fresh).extracting(KernelXids.Xid::code).containsExactly(79, 48);
        assertThat(fresh.get(1).uuid()).isEqualTo("GPU-5f1c2a9e-7b3d-4c1e-9a8f-2d6e0b4c7a11");
        assertThat(xids.readNew()).isEmpty();
    }

    @Test
    void aRefusedKernelLogIsSaidWithWhatItNeeds() throws Exception {
        KernelXids xids = reader("echo 'dmesg: read kernel buffer failed: Operation not permitted' >&2; exit 1");
        assertThatThrownBy(xids::readNew).isInstanceOf(GpuException.class)
                .hasMessageContaining("Operation not permitted")
                .hasMessageContaining("it needs root, CAP_SYSLOG or kernel.dmesg_restrict=0");
    }
}
