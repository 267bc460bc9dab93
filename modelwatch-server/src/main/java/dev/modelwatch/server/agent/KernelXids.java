package dev.modelwatch.server.agent;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * XID errors of NVIDIA GPUs without DCGM: the driver prints each one to the kernel log as
 * {@code NVRM: Xid (PCI:0000:3b:00): 79, pid=..., GPU has fallen off the bus.} (older drivers:
 * {@code NVRM: Xid (0000:03:00): 14, Channel 00000001}), and the first one of a GPU after
 * {@code NVRM: GPU at PCI:0000:3b:00: GPU-<uuid>}. {@code nvidia-smi} has no XID field, so the agent reads
 * the kernel log with {@code dmesg --time-format iso} (util-linux) every interval and hands on the XID
 * lines that are new since the last reading. The first reading only notes where the log stands: XIDs
 * logged before the agent started are not sent again after each restart of the agent. Reading the
 * kernel log needs root, CAP_SYSLOG or {@code kernel.dmesg_restrict=0}; when it is refused the reason
 * is said once (see {@link GpuException}).
 */
public final class KernelXids {
    private static final Pattern XID = Pattern.compile(
            "NVRM: Xid \\((?:PCI:)?([0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(?:\\.[0-9a-fA-F])?)\\): (\\d+),\\s*(.*)$");
    private static final Pattern GPU_AT = Pattern.compile(
            "NVRM: GPU at (?:PCI:)?([0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(?:\\.[0-9a-fA-F])?): (GPU-[0-9a-fA-F-]+)");
    /** dmesg's iso time: {@code 2026-12-04T10:15:02,123456+00:00}. */
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSSSSSxxx");

    /**
     * One XID error.
     *
     * @param atMs     when the kernel logged it
     * @param pciBusId the GPU's PCI bus id as the driver printed it (e.g. {@code 0000:3b:00})
     * @param uuid     the GPU's UUID when the log names it, else null
     * @param code     the XID (e.g. 79: fallen off the bus; 48: double-bit ECC error; 13, 31, 43: application faults)
     * @param detail   the rest of the line
     */
    public record Xid(long atMs, String pciBusId, String uuid, int code, String detail) {
    }

    private final List<String> command;
    private final CommandRunner runner;
    private final Map<String, String> uuids = new HashMap<>();
    private long lastMs = Long.MIN_VALUE;
    private Set<String> linesAtLast = new HashSet<>();
    private boolean started;

    /** Reads with {@code dmesg} (the path of the executable) through {@code runner}. */
    public KernelXids(String dmesg, CommandRunner runner) {
        this.command = List.of(dmesg, "--kernel", "--time-format", "iso", "--nopager");
        this.runner = runner;
    }

    public List<String> command() {
        return command;
    }

    /** The XIDs logged since the last call (none at the first: it notes where the log stands). */
    public List<Xid> readNew() throws GpuException {
        CommandRunner.Result r;
        try {
            r = runner.run(command);
        } catch (IOException e) {
            throw new GpuException("the kernel log cannot be read for XID errors (" + command.get(0) + ": "
                    + e.getMessage() + ")");
        }
        if (r.timedOut()) {
            throw new GpuException("the kernel log cannot be read for XID errors: " + command.get(0) + " did not answer in time");
        }
        if (r.exitCode() != 0) {
            throw new GpuException("the kernel log cannot be read for XID errors (" + command.get(0) + " exited "
                    + r.exitCode() + ": " + r.stderr().strip() + "); it needs root, CAP_SYSLOG or kernel.dmesg_restrict=0");
        }
        List<Xid> found = parse(r.stdout());
        List<Xid> fresh = new ArrayList<>();
        long newest = lastMs;
        Set<String> atNewest = new HashSet<>(linesAtLast);
        for (Xid x : found) {
            String key = x.pciBusId() + " " + x.code() + " " + x.detail();
            boolean isNew = x.atMs() > lastMs || (x.atMs() == lastMs && !linesAtLast.contains(key));
            if (isNew && started) {
                fresh.add(x);
            }
            if (x.atMs() > newest) {
                newest = x.atMs();
                atNewest = new HashSet<>();
            }
            if (x.atMs() == newest) {
                atNewest.add(key);
            }
        }
        lastMs = newest;
        linesAtLast = atNewest;
        started = true;
        return fresh;
    }

    /** The XID lines of a {@code dmesg --time-format iso} output, in order; other lines are skipped. */
    List<Xid> parse(String dmesg) {
        List<Xid> out = new ArrayList<>();
        for (String line : dmesg.split("\n")) {
            Matcher at = GPU_AT.matcher(line);
            if (at.find()) {
                uuids.put(at.group(1).toLowerCase(java.util.Locale.ROOT), at.group(2));
                continue;
            }
            Matcher m = XID.matcher(line);
            if (!m.find()) {
                continue;
            }
            String bus = m.group(1).toLowerCase(java.util.Locale.ROOT);
            long ms;
            try {
                ms = OffsetDateTime.parse(line.substring(0, line.indexOf(' ')), ISO).toInstant().toEpochMilli();
            } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
                continue; // not a line of --time-format iso
            }
            out.add(new Xid(ms, bus, uuids.get(bus), Integer.parseInt(m.group(2)), m.group(3).strip()));
        }
        return out;
    }

}
