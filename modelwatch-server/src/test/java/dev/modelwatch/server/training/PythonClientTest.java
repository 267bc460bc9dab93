package dev.modelwatch.server.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client's tests (clients/python/tests) run by Debian's /usr/bin/python3 against a started
 * server: its unit tests, and real PyTorch training loops on scikit-learn's digits. Skipped when torch or
 * sklearn is missing, unless MODELWATCH_REQUIRE_PYTHON=true (CI), where that is a failure.
 */
class PythonClientTest {
    static final String PYTHON = "/usr/bin/python3";
    static final Path CLIENT = Path.of("..", "clients", "python").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void pythonClientTestsPassAgainstAStartedServer() throws Exception {
        String missing = missingPython();
        if (missing != null) {
            assertThat(Boolean.parseBoolean(System.getenv("MODELWATCH_REQUIRE_PYTHON")))
                    .as("MODELWATCH_REQUIRE_PYTHON=true but " + missing).isFalse();
            Assumptions.abort(missing + " (apt-get install -y python3-torch python3-sklearn)");
        }
        try (TestServer server = TestServer.start(dir.resolve("data"))) {
            Path out = dir.resolve("python.log");
            ProcessBuilder pb = new ProcessBuilder(PYTHON, "-m", "unittest", "discover", "-v", "-s", "tests")
                    .directory(CLIENT.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("MODELWATCH_URL", "http://127.0.0.1:" + server.server().port());
            pb.environment().put("OMP_NUM_THREADS", "1");
            Process p = pb.start();
            boolean ended = p.waitFor(5, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly();
            }
            String log = Files.readString(out, StandardCharsets.UTF_8);
            System.out.println(log);
            assertThat(ended).as("python tests ended within 5 minutes:\n" + log).isTrue();
            assertThat(p.exitValue()).as(log).isZero();
            assertThat(log).doesNotContain("skipped");
        }
    }

    /** Why the Python tests cannot run here, or null. */
    private static String missingPython() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return PYTHON + " is missing";
        }
        Process p = new ProcessBuilder(List.of(PYTHON, "-c", "import torch, sklearn")).redirectErrorStream(true).start();
        String err = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? null : "torch and sklearn cannot be imported by " + PYTHON + ": " + err.strip();
    }
}
