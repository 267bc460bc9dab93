package dev.modelwatch.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * What the commands that ask a running server share: its base URL, the API token read from an
 * environment variable and sent as a Bearer token when set, a five-minute timeout, and one message when
 * the server cannot be reached.
 */
final class ServerClient {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final String server;
    private final String tokenEnv;

    /**
     * @param server   the server's URL ({@code http://127.0.0.1:8080}); trailing slashes are dropped
     * @param tokenEnv the environment variable holding an API token (unset or blank: none is sent)
     */
    ServerClient(String server, String tokenEnv) {
        this.server = server;
        this.tokenEnv = tokenEnv;
    }

    /** A request to {@code path} (from {@code /api/...}, query included) with the timeout and the token. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.replaceAll("/+$", "") + path)).timeout(TIMEOUT);
        String token = System.getenv(tokenEnv);
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token.trim());
        }
        return b;
    }

    /** The server's answer, or empty after printing to {@code err} why there is none (unreachable, interrupted). */
    Optional<HttpResponse<String>> send(HttpRequest request, PrintWriter err) {
        try {
            return Optional.of(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            err.println("modelwatch: cannot reach " + server + ": " + e.getMessage());
            err.flush();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** {@code s} encoded for a URL's path segment or query value. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
