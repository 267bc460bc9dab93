package dev.modelwatch.server.alert.notify;

/**
 * The outcome of one {@link Notifier#send} attempt, as Alertmanager's {@code (retry bool, err error)}
 * with the details a delivery log needs.
 *
 * <p>Classification of HTTP answers ({@link #forHttpStatus}): 2xx delivered (then the integration may
 * still read a failure from the body, as DingTalk's {@code errcode}); 408, 429 and 5xx retryable; any
 * other status (4xx, an unfollowed 3xx) not retryable, because sending the same request again cannot
 * succeed. Time-outs and connection failures are retryable. {@link #error} never holds a secret: the
 * notifiers pass every text through their {@link Redactor}.
 *
 * @param delivered    whether the receiving end accepted the message (or there was nothing to send)
 * @param retryable    whether trying again may succeed; false when delivered
 * @param statusCode   the HTTP status or SMTP reply code of the answer, -1 when there was none
 * @param error        why it was not delivered (null when delivered)
 * @param atMs         when the attempt started (epoch milliseconds)
 * @param retryAfterMs the delay the receiving end asked for ({@code Retry-After}), null when none
 */
public record NotifyResult(boolean delivered, boolean retryable, int statusCode, String error, long atMs,
        Long retryAfterMs) {
    public NotifyResult {
        if (delivered && (retryable || error != null)) {
            throw new IllegalArgumentException("a delivered result is neither retryable nor has an error");
        }
        if (!delivered && (error == null || error.isBlank())) {
            throw new IllegalArgumentException("error must say why the notification was not delivered");
        }
        if (statusCode != -1 && (statusCode < 100 || statusCode > 999)) {
            throw new IllegalArgumentException("statusCode must be -1 or a 3-digit code, was " + statusCode);
        }
        if (retryAfterMs != null && retryAfterMs < 0) {
            throw new IllegalArgumentException("retryAfterMs must not be negative, was " + retryAfterMs);
        }
    }

    /** The receiving end accepted the message. */
    public static NotifyResult delivered(int statusCode, long atMs) {
        return new NotifyResult(true, false, statusCode, null, atMs, null);
    }

    /** Nothing to send (only resolved alerts and {@code send_resolved} off): counts as delivered. */
    public static NotifyResult nothingToSend(long atMs) {
        return new NotifyResult(true, false, -1, null, atMs, null);
    }

    /** Not delivered. */
    public static NotifyResult failed(boolean retryable, int statusCode, String error, long atMs) {
        return new NotifyResult(false, retryable, statusCode, error, atMs, null);
    }

    /**
     * The result of an HTTP answer with {@code status}: see the class comment.
     *
     * @param error        the failure's description, used when the status is not 2xx
     * @param retryAfterMs the answer's {@code Retry-After}, kept when the result is retryable
     */
    public static NotifyResult forHttpStatus(int status, String error, Long retryAfterMs, long atMs) {
        if (status >= 200 && status < 300) {
            return delivered(status, atMs);
        }
        boolean retryable = isRetryableHttpStatus(status);
        return new NotifyResult(false, retryable, status, error, atMs, retryable ? retryAfterMs : null);
    }

    /** Whether an HTTP status is worth retrying: 408 (request timeout), 429 (too many requests), 5xx. */
    public static boolean isRetryableHttpStatus(int status) {
        return status == 408 || status == 429 || (status >= 500 && status < 600);
    }

    /**
     * The error as the delivery log and {@code modelwatch alert test} show it: prefixed with
     * {@code HTTP <status>: } when there was an answer ({@code HTTP 503: service unavailable}); null
     * when delivered.
     */
    public String describedError() {
        if (error == null) {
            return null;
        }
        return statusCode > 0 ? "HTTP " + statusCode + ": " + error : error;
    }

    /** This result with {@code retryAfterMs} (kept only when retryable). */
    public NotifyResult withRetryAfterMs(Long ms) {
        return new NotifyResult(delivered, retryable, statusCode, error, atMs, retryable ? ms : null);
    }
}
