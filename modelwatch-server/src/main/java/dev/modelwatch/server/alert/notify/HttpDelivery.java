package dev.modelwatch.server.alert.notify;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One HTTP POST of an integration, with its time-out, turned into a {@link NotifyResult}: the HTTP
 * classification of {@link NotifyResult#forHttpStatus} for non-2xx answers (with the answer's
 * {@code Retry-After}), and the integration's own reading of a 2xx body (a robot's {@code errcode}).
 *
 * <p>The {@link HttpClient} is injected (its connect time-out, proxy and TLS settings are the caller's);
 * the request time-out bounds the whole exchange, answer body included, which is read up to
 * {@value #MAX_BODY_BYTES} bytes. Redirects are those of the client (the JDK's default: not followed,
 * so a 3xx is a non-retryable failure). Every error text goes through the {@link Redactor}.
 *
 * <p>Usage:
 * <pre>{@code
 * HttpDelivery http = new HttpDelivery(client, url.redactor());
 * NotifyResult r = http.post(url.uri(), Map.of(), json, Duration.ofSeconds(10), clock.millis(),
 *         (status, body, atMs) -> NotifyResult.delivered(status, atMs));
 * }</pre>
 */
public final class HttpDelivery {
    /** The most of an answer's body that is read. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** How much of an answer's body an error message quotes. */
    static final int QUOTED_BODY_CHARS = 200;

    /** Reads a 2xx answer: delivered, or a failure the body reports. */
    @FunctionalInterface
    public interface ReplyReader {
        NotifyResult read(int status, String body, long atMs);
    }

    private final HttpClient client;
    private final Redactor redactor;

    public HttpDelivery(HttpClient client, Redactor redactor) {
        if (client == null || redactor == null) {
            throw new IllegalArgumentException("client and redactor must not be null");
        }
        this.client = client;
        this.redactor = redactor;
    }

    public Redactor redactor() {
        return redactor;
    }

    /**
     * POSTs {@code body} as {@code application/json} (unless {@code headers} say otherwise).
     *
     * @param atMs   the attempt's start time, recorded in the result
     * @param on2xx  reads a 2xx answer
     */
    public NotifyResult post(URI uri, Map<String, String> headers, byte[] body, Duration timeout, long atMs,
            ReplyReader on2xx) {
        HttpRequest.Builder rb;
        try {
            rb = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header("User-Agent", "ModelWatch")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, String> h : headers.entrySet()) {
                rb.setHeader(h.getKey(), h.getValue());
            }
        } catch (IllegalArgumentException e) {
            return NotifyResult.failed(false, -1, "invalid request: " + redactor.redact(e.getMessage()), atMs);
        }
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(rb.build(), info -> new BoundedBody());
        HttpResponse<byte[]> response;
        try {
            response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return NotifyResult.failed(true, -1, "timed out after " + timeout.toMillis() + " ms", atMs);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return NotifyResult.failed(true, -1, "interrupted", atMs);
        } catch (ExecutionException e) {
            return failure(e.getCause() == null ? e : e.getCause(), timeout, atMs);
        }
        int status = response.statusCode();
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (status >= 200 && status < 300) {
            NotifyResult r = on2xx.read(status, text, atMs);
            return r.delivered() ? r : new NotifyResult(false, r.retryable(), r.statusCode(),
                    redactor.redact(r.error()), r.atMs(), r.retryAfterMs());
        }
        Long retryAfter = response.headers().firstValue("Retry-After")
                .map(v -> parseRetryAfterMs(v, atMs)).orElse(null);
        return NotifyResult.forHttpStatus(status, redactor.redact("HTTP " + status + quote(text)), retryAfter, atMs);
    }

    private NotifyResult failure(Throwable t, Duration timeout, long atMs) {
        if (t instanceof HttpConnectTimeoutException) {
            return NotifyResult.failed(true, -1, "connect timed out", atMs);
        }
        if (t instanceof HttpTimeoutException) {
            return NotifyResult.failed(true, -1, "timed out after " + timeout.toMillis() + " ms", atMs);
        }
        if (t instanceof ConnectException) {
            return NotifyResult.failed(true, -1, "connection failed" + message(t), atMs);
        }
        if (t instanceof SSLException) {
            // a certificate or protocol mismatch needs a configuration change, not another try
            return NotifyResult.failed(false, -1, "TLS failed" + message(t), atMs);
        }
        if (t instanceof IOException) {
            return NotifyResult.failed(true, -1, "I/O error: " + t.getClass().getSimpleName() + message(t), atMs);
        }
        return NotifyResult.failed(false, -1, "failed: " + t.getClass().getSimpleName() + message(t), atMs);
    }

    private String message(Throwable t) {
        return t.getMessage() == null ? "" : ": " + redactor.redact(t.getMessage());
    }

    /** {@code ": body"} (white space collapsed, at most {@value #QUOTED_BODY_CHARS} characters) or "". */
    public static String quote(String body) {
        String s = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        if (s.isEmpty()) {
            return "";
        }
        return ": " + (s.length() > QUOTED_BODY_CHARS ? s.substring(0, QUOTED_BODY_CHARS) + "..." : s);
    }

    /**
     * A {@code Retry-After} value in milliseconds from {@code nowMs}: delta-seconds or an HTTP-date
     * (RFC 9110 §10.2.3); a date in the past is 0; null when unreadable.
     */
    public static Long parseRetryAfterMs(String value, long nowMs) {
        String v = value == null ? "" : value.trim();
        if (v.matches("\\d{1,10}")) {
            return Long.parseLong(v) * 1000L;
        }
        try {
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0L, at - nowMs);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Collects at most {@link #MAX_BODY_BYTES} of a body, discarding the rest. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int room = MAX_BODY_BYTES - out.size();
                int n = Math.min(room, b.remaining());
                if (n > 0) {
                    byte[] chunk = new byte[n];
                    b.get(chunk);
                    out.write(chunk, 0, n);
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
