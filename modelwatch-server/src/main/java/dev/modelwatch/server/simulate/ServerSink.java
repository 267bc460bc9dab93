package dev.modelwatch.server.simulate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.modelwatch.server.alert.notify.HttpDelivery;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RetryDecision;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.server.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Sends NDJSON to a server's {@code POST /api/v1/events} in batches of at most {@value #BATCH_LINES}
 * events, with a Bearer token when one is given. An overloaded server (429 or 503) is asked again when
 * its {@code Retry-After} says, on the project's {@link RetryPolicy}; any other refusal, or events
 * the server rejects, end the run with the server's reason.
 */
public final class ServerSink implements Simulation.EventSink {
    /** Events per request. */
    public static final int BATCH_LINES = 5_000;
    /** Retries of an overloaded server: 1 s, doubling, at most 30 s apart, for at most 10 minutes. */
    static final RetryPolicy RETRY = new RetryPolicy(1_000, 2.0, 30_000, 1_000, 600_000);

    /** The ingest API's answer (fields beyond these are ignored). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record IngestAnswer(long accepted, long rejected, List<IngestError> errors) {
    }

    /** One rejected event of a batch. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record IngestError(int index, String error) {
    }

    /** The body of {@code PUT /api/v1/models/{model}} for the simulated classifier. */
    record ModelSettings(String task, String positiveClass, String window) {
    }

    private final HttpClient http;
    private final String base;
    private final String token;
    private final Clock clock;
    private final Simulation.Sleeper sleeper;
    private final RandomGenerator random;
    private long retries;

    /**
     * @param server the server's base URL ({@code http://127.0.0.1:8080})
     * @param token  an API token with the ingest scope, or null
     */
    public ServerSink(HttpClient http, String server, String token, Clock clock, Simulation.Sleeper sleeper,
                      RandomGenerator random) {
        this.http = http;
        this.base = server.replaceAll("/+$", "");
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
    }

    /** How many times an overloaded server was asked again. */
    public long retries() {
        return retries;
    }

    /** Declares the simulated model (a binary classifier, positive class "1") with its window. */
    public void declareModel(String model, String window) throws IOException, InterruptedException {
        HttpRequest.Builder b = request("/api/v1/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(new ModelSettings("binary_classification", "1",
                        window))));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new IOException("the server refused the model " + model + ": HTTP " + r.statusCode()
                    + HttpDelivery.quote(r.body()));
        }
    }

    @Override
    public long send(String ndjson) throws IOException, InterruptedException {
        long accepted = 0;
        int start = 0;
        while (start < ndjson.length()) {
            int end = start;
            for (int lines = 0; lines < BATCH_LINES && end < ndjson.length(); lines++) {
                int nl = ndjson.indexOf('\n', end);
                end = nl < 0 ? ndjson.length() : nl + 1;
            }
            accepted += post(ndjson.substring(start, end));
            start = end;
        }
        return accepted;
    }

    private long post(String batch) throws IOException, InterruptedException {
        byte[] body = batch.getBytes(StandardCharsets.UTF_8);
        long first = clock.millis();
        for (int attempt = 1; ; attempt++) {
            HttpRequest req = request("/api/v1/events").header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            long now = clock.millis();
            if (r.statusCode() == 200) {
                IngestAnswer a = Json.read(r.body().getBytes(StandardCharsets.UTF_8), IngestAnswer.class,
                        "the ingest answer");
                if (a.rejected() > 0) {
                    IngestError e = a.errors() == null || a.errors().isEmpty() ? null : a.errors().get(0);
                    throw new IOException("the server rejected " + a.rejected() + " event(s)"
                            + (e == null ? "" : ", the first at index " + e.index() + ": " + e.error()));
                }
                return a.accepted();
            }
            if (r.statusCode() != 429 && r.statusCode() != 503) {
                throw new IOException("the server answered HTTP " + r.statusCode() + HttpDelivery.quote(r.body()));
            }
            Long retryAfter = r.headers().firstValue("Retry-After").map(v -> HttpDelivery.parseRetryAfterMs(v, now))
                    .orElse(null);
            NotifyResult result = NotifyResult.forHttpStatus(r.statusCode(), "HTTP " + r.statusCode(), retryAfter, now);
            RetryDecision d = RETRY.decide(result, attempt, first, random);
            if (d.action() != RetryDecision.Action.RETRY) {
                throw new IOException("the server stayed overloaded: " + d.reason());
            }
            retries++;
            long wait = d.nextAttemptAtMs() - clock.millis();
            if (wait > 0) {
                sleeper.sleep(wait);
            }
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(2));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }
}
