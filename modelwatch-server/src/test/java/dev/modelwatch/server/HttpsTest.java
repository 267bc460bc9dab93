package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.auth.AuthMode;
import dev.modelwatch.server.auth.TlsConfig;
import dev.modelwatch.server.config.ConfigException;
import dev.modelwatch.server.config.ServerConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with a self-signed certificate made here by the JDK's keytool (EC P-256, SAN
 * 127.0.0.1), served from a PKCS#12 keystore and from the PEM pair written from it.
 */
class HttpsTest {
    /** The keystore password comes from an environment variable; PATH is set wherever tests run. */
    private static final String PASSWORD_ENV = "PATH";

    @TempDir
    Path dir;
    private Path keystore;
    private HttpClient client;
    private KeyStore generated;

    @BeforeEach
    void makeSelfSignedCertificate() throws Exception {
        keystore = dir.resolve("server.p12");
        String password = System.getenv(PASSWORD_ENV);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        generated = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            generated.load(in, password.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("modelwatch-test", generated.getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void eventsGoInAndModelsComeOutOverHttpsFromAPkcs12Keystore() throws Exception {
        roundTrip(new TlsConfig(null, null, keystore, PASSWORD_ENV));
    }

    @Test
    void eventsGoInAndModelsComeOutOverHttpsFromPemFiles() throws Exception {
        Path cert = dir.resolve("chain.pem");
        Path key = dir.resolve("key.pem");
        Certificate c = generated.getCertificate("server");
        Files.writeString(cert, pem("CERTIFICATE", c.getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", generated.getKey("server",
                System.getenv(PASSWORD_ENV).toCharArray()).getEncoded()));
        roundTrip(new TlsConfig(cert, key, null, null));
    }

    @Test
    void aKeyThatIsNotPkcs8IsRefusedAtStartNamingTheKey() throws Exception {
        Path cert = dir.resolve("chain.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(cert, pem("CERTIFICATE", generated.getCertificate("server").getEncoded()));
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        ServerConfig config = ServerConfig.defaults().withDataDir(dir.resolve("data")).withPort(0)
                .withAccess(new AccessConfig(AuthMode.AUTO, false, null, new TlsConfig(cert, key, null, null)));
        assertThatThrownBy(() -> ModelWatchServer.start(config, Clock.systemUTC()).close())
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls.key_file")
                .hasMessageContaining("openssl pkcs8");
    }

    private void roundTrip(TlsConfig tls) throws Exception {
        ServerConfig config = ServerConfig.defaults().withDataDir(dir.resolve("data")).withPort(0)
                .withAccess(new AccessConfig(AuthMode.AUTO, false, null, tls));
        try (ModelWatchServer server = ModelWatchServer.start(config, Clock.systemUTC())) {
            String base = "https://127.0.0.1:" + server.port();
            HttpResponse<String> ingest = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"type\": \"prediction\", \"model\": \"tls\", \"id\": \"a\", \"prediction\": 1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ingest.statusCode()).as(ingest.body()).isEqualTo(200);
            assertThat(ingest.body()).contains("\"accepted\":1");
            HttpResponse<String> models = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).contains("\"name\":\"tls\"");
            HttpResponse<String> ownOrigin = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                    .header("Content-Type", "application/json").header("Origin", base)
                    .POST(HttpRequest.BodyPublishers.ofString("[]")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ownOrigin.statusCode()).as("the https origin is the server's own").isNotEqualTo(403);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
