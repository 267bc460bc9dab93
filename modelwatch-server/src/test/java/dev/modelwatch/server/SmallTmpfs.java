package dev.modelwatch.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for one test, so that the disk can really fill up. Mounting needs root (CI
 * runs as root); where it fails the test is skipped with the reason.
 */
final class SmallTmpfs implements AutoCloseable {
    final Path dir;
    private final Path filler;

    private SmallTmpfs(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler");
    }

    static SmallTmpfs mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString());
        Assumptions.assumeTrue(out == null, () -> "cannot mount a " + megabytes + " MB tmpfs at " + dir + " (" + out
                + "): the disk-full test needs root; skipped");
        return new SmallTmpfs(dir);
    }

    /** Writes a file until the file system is full. */
    void fill() throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
                throw e;
            }
        }
    }

    /** Deletes what {@link #fill()} wrote. */
    void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    /** Null when the command succeeded, else what it printed. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", "-l", dir.toString());
    }
}
