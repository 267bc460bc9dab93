package dev.modelwatch.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** The HTTP set-up that {@code modelwatch diagnose} and {@code modelwatch dead-letter replay} share. */
class ServerClientTest {
    @Test
    void theRequestGoesToThePathUnderTheServerWithTheTokenOfTheVariableWhenSet() {
        HttpRequest r = new ServerClient("http://127.0.0.1:8080//", "MODELWATCH_TEST_SURELY_UNSET")
                .request("/api/v1/models/m/diagnosis?from=1").GET().build();
        assertThat(r.uri().toString()).isEqualTo("http://127.0.0.1:8080/api/v1/models/m/diagnosis?from=1");
        assertThat(r.headers().firstValue("Authorization")).isEmpty();
        assertThat(r.timeout()).isPresent();
        // PATH is set wherever the tests run: it stands for a variable holding a token
        HttpRequest withToken = new ServerClient("http://127.0.0.1:8080", "PATH").request("/x").GET().build();
        assertThat(withToken.headers().firstValue("Authorization")).hasValue("Bearer " + System.getenv("PATH").trim());
    }

    @Test
    void anUnreachableServerIsNoAnswerAndOneMessage() {
        StringWriter err = new StringWriter();
        ServerClient client = new ServerClient("http://127.0.0.1:1", "MODELWATCH_TEST_SURELY_UNSET");
        assertThat(client.send(client.request("/api/v1/x").GET().build(), new PrintWriter(err, true))).isEmpty();
        assertThat(err.toString()).startsWith("modelwatch: cannot reach http://127.0.0.1:1: ");
    }

    @Test
    void theDeadLetterReplayOfAnUnreachableServerIsExitCodeOne() {
        assertThat(Main.commandLine().execute("dead-letter", "replay", "entry-1", "--url", "http://127.0.0.1:1"))
                .isEqualTo(1);
    }
}
