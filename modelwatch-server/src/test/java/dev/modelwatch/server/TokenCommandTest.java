package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.auth.AuthMode;
import dev.modelwatch.server.cli.Main;
import dev.modelwatch.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code modelwatch token create|list|revoke} on the database a server then uses. */
class TokenCommandTest {
    @TempDir
    Path dir;

    @Test
    void theFirstTokenIsCreatedBeforeTheServerStartsListedWithoutItsSecretAndRevoked() throws Exception {
        String created = run("token", "create", "--name", "ops", "--scope", "read,admin", "--data-dir", dir.toString()).trim();
        String token = created.substring(created.lastIndexOf('\n') + 1); // the last line; log lines may precede it
        assertThat(token).matches("mw_[a-z2-7]{12}_[A-Za-z0-9_-]{43}");
        String id = token.substring(3, 15);

        String list = run("token", "list", "--data-dir", dir.toString());
        assertThat(list).contains(id).contains("ops").contains("read,admin").doesNotContain(token.substring(16));

        ServerConfig config = ServerConfig.defaults().withDataDir(dir).withPort(0)
                .withAccess(new AccessConfig(AuthMode.REQUIRED, false, null));
        try (ModelWatchServer server = ModelWatchServer.start(config, Clock.systemUTC())) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest models = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/models"))
                    .header("Authorization", "Bearer " + token).build();
            assertThat(http.send(models, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }

        assertThat(run("token", "revoke", id, "--data-dir", dir.toString())).contains("revoked");
        assertThat(run("token", "list", "--data-dir", dir.toString())).containsPattern(id + ".*\\d{4}-\\d\\d-\\d\\dT.*Z\\s*$");
        assertThat(Main.commandLine().execute("token", "revoke", "nosuchtoken1", "--data-dir", dir.toString())).isEqualTo(1);
        assertThat(Main.commandLine().execute("token", "create", "--name", "x", "--scope", "root", "--data-dir",
                dir.toString())).isEqualTo(2);
    }

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute(args)).as(String.join(" ", args)).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
