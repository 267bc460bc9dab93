package dev.modelwatch.server.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The retry policy as tables: the backoff cap {@code min(5 min, 1 s · 2^(n-1))}, the full-jitter next
 * attempt {@code last + floor(u · cap)} (the expected values are worked out by hand from those two
 * formulas), and the decision after each kind of result.
 */
class RetryPolicyTest {
    static final RetryPolicy P = RetryPolicy.DEFAULT;

    @ParameterizedTest(name = "cap after attempt {0} is {1} ms")
    @CsvSource({"1, 1000", "2, 2000", "3, 4000", "5, 16000", "9, 256000", "10, 300000", "11, 300000", "100, 300000",
        "100000, 300000"})
    void backoffCapDoublesUpToFiveMinutes(int attempt, long capMs) {
        assertThat(P.backoffCapMs(attempt)).isEqualTo(capMs);
    }

    @ParameterizedTest(name = "attempt {0}, u={1}, last={2} -> {3}")
    @CsvSource({
        "1, 0.0,    1000, 1000",
        "1, 0.5,    1000, 1500",
        "1, 0.9999, 0,    999",
        "2, 0.5,    0,    1000",
        "3, 0.25,   0,    1000",
        "9, 0.5,    0,    128000",
        "10, 0.5,   0,    150000",
        "20, 0.999, 5000, 304700"})
    void nextAttemptIsAFullJitterDrawBelowTheCap(int attempt, double u, long lastAtMs, long expected) {
        assertThat(P.nextAttemptAtMs(attempt, lastAtMs, new FixedRandom(u))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // case                         | delivered | retryable | retryAfterMs | attempt | firstAt offset | u   | action    | next offset
        "delivered                      | true      | false     |              | 1       | 0              | 0.5 | DELIVERED | -1",
        "404 stops at once              | false     | false     |              | 1       | 0              | 0.5 | GIVE_UP   | -1",
        "500 on the first attempt       | false     | true      |              | 1       | 0              | 0.5 | RETRY     | 500",
        "500 on the fourth attempt      | false     | true      |              | 4       | 0              | 0.5 | RETRY     | 4000",
        "429 waits for Retry-After      | false     | true      | 30000        | 1       | 0              | 0.5 | RETRY     | 30000",
        "Retry-After shorter than draw  | false     | true      | 100          | 3       | 0              | 0.5 | RETRY     | 2000",
        "tenth attempt is the last      | false     | true      |              | 10      | 0              | 0.5 | GIVE_UP   | -1",
        "ninth attempt still retries    | false     | true      |              | 9       | 0              | 0.5 | RETRY     | 128000",
        "past max_age gives up          | false     | true      |              | 3       | -3599000       | 0.5 | GIVE_UP   | -1",
        "just within max_age retries    | false     | true      |              | 3       | -3598000       | 0.5 | RETRY     | 2000",
        "Retry-After past max_age       | false     | true      | 7200000      | 1       | 0              | 0.5 | GIVE_UP   | -1"})
    void decisionFollowsTheResult(String name, boolean delivered, boolean retryable, Long retryAfterMs, int attempt,
            long firstAtOffset, double u, RetryDecision.Action action, long nextOffset) {
        long at = 1_000_000_000L;
        NotifyResult r = delivered ? NotifyResult.delivered(200, at)
                : new NotifyResult(false, retryable, retryable ? 503 : 404, "HTTP " + (retryable ? 503 : 404), at, retryAfterMs);
        RetryDecision d = P.decide(r, attempt, at + firstAtOffset, new FixedRandom(u));
        assertThat(d.action()).isEqualTo(action);
        assertThat(d.nextAttemptAtMs()).isEqualTo(nextOffset < 0 ? -1 : at + nextOffset);
        if (action == RetryDecision.Action.GIVE_UP) {
            assertThat(d.reason()).contains("HTTP");
        }
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        long now = ZonedDateTime.of(2026, 11, 22, 10, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli();
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.of(2026, 11, 22, 10, 1, 30, 0, ZoneOffset.UTC));
        assertThat(HttpDelivery.parseRetryAfterMs("120", now)).isEqualTo(120_000L);
        assertThat(HttpDelivery.parseRetryAfterMs(" 0 ", now)).isZero();
        assertThat(HttpDelivery.parseRetryAfterMs(date, now)).isEqualTo(90_000L);
        assertThat(HttpDelivery.parseRetryAfterMs("Sun, 22 Nov 2026 09:00:00 GMT", now)).isZero();
        assertThat(HttpDelivery.parseRetryAfterMs("soon", now)).isNull();
        assertThat(HttpDelivery.parseRetryAfterMs("-5", now)).isNull();
    }

    @Test
    void invalidPoliciesAreRejectedNamingTheField() {
        assertThatThrownBy(() -> new RetryPolicy(0, 2, 1000, 10, 1000)).hasMessageContaining("initialBackoffMs");
        assertThatThrownBy(() -> new RetryPolicy(1000, 0.5, 1000, 10, 1000)).hasMessageContaining("factor");
        assertThatThrownBy(() -> new RetryPolicy(1000, 2, 999, 10, 1000)).hasMessageContaining("maxBackoffMs");
        assertThatThrownBy(() -> new RetryPolicy(1000, 2, 1000, 0, 1000)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new RetryPolicy(1000, 2, 1000, 1, 0)).hasMessageContaining("maxAgeMs");
        assertThatThrownBy(() -> P.backoffCapMs(0)).hasMessageContaining("attempt");
    }

    @ParameterizedTest(name = "HTTP {0}: delivered={1} retryable={2}")
    @CsvSource({"200, true, false", "202, true, false", "204, true, false", "301, false, false", "400, false, false",
        "401, false, false", "403, false, false", "404, false, false", "408, false, true", "409, false, false",
        "413, false, false", "422, false, false", "429, false, true", "500, false, true", "502, false, true",
        "503, false, true", "504, false, true"})
    void httpStatusesAreClassified(int status, boolean delivered, boolean retryable) {
        NotifyResult r = NotifyResult.forHttpStatus(status, "HTTP " + status, 5_000L, 0);
        assertThat(r.delivered()).isEqualTo(delivered);
        assertThat(r.retryable()).isEqualTo(retryable);
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.retryAfterMs()).isEqualTo(retryable ? Long.valueOf(5_000L) : null);
    }
}
