package dev.modelwatch.server.alert.notify;

import java.util.random.RandomGenerator;

/**
 * When to try a failed notification again: exponential backoff with full jitter, bounded by a number
 * of attempts and an age.
 *
 * <p>After the {@code n}-th failed attempt (n = 1, 2, ...) the next one waits a delay drawn uniformly
 * from {@code [0, cap(n))}, {@code cap(n) = min(maxBackoff, initialBackoff · factor^(n-1))} ("full
 * jitter": M. Brooker, <i>Exponential Backoff And Jitter</i>, AWS Architecture Blog, 2015). Full jitter
 * spreads the retries of many groups that failed together (a receiver that was down) instead of having
 * them return in waves. The defaults (1 s, ×2, at most 5 min, 10 attempts, 1 h) give up after about
 * 8.5 minutes at the latest, 4.3 minutes on average, unless the receiving end asks for longer.
 *
 * <p>{@link #decide} applies the policy to a {@link NotifyResult}: a delivered result stops; a
 * non-retryable one (a 4xx other than 408/429, a rejected robot message) gives up at once; a
 * {@code Retry-After} (429, 503) moves the next attempt to no earlier than asked; the loop gives up
 * after {@code maxAttempts} attempts or when the next attempt would start more than {@code maxAge}
 * after the first.
 *
 * <p>Pure: the random source and the times are arguments. Usage:
 * <pre>{@code
 * RetryDecision d = RetryPolicy.DEFAULT.decide(result, attempts, firstAttemptAtMs, random);
 * if (d.action() == RetryDecision.Action.RETRY) outbox.schedule(id, d.nextAttemptAtMs());
 * }</pre>
 *
 * @param initialBackoffMs the cap of the first delay, &gt; 0
 * @param factor           the cap's growth per attempt, &ge; 1
 * @param maxBackoffMs     the largest cap, &ge; initialBackoffMs
 * @param maxAttempts      attempts in all, first included, &ge; 1
 * @param maxAgeMs         no attempt starts later than this after the first, &gt; 0
 */
public record RetryPolicy(long initialBackoffMs, double factor, long maxBackoffMs, int maxAttempts, long maxAgeMs) {
    /** 1 s, ×2, at most 5 min, 10 attempts, 1 h. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(1_000, 2.0, 300_000, 10, 3_600_000);

    public RetryPolicy {
        if (initialBackoffMs <= 0) {
            throw new IllegalArgumentException("initialBackoffMs must be positive, was " + initialBackoffMs);
        }
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be a finite number >= 1, was " + factor);
        }
        if (maxBackoffMs < initialBackoffMs) {
            throw new IllegalArgumentException("maxBackoffMs " + maxBackoffMs + " must be >= initialBackoffMs " + initialBackoffMs);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (maxAgeMs <= 0) {
            throw new IllegalArgumentException("maxAgeMs must be positive, was " + maxAgeMs);
        }
    }

    /** {@code cap(attempt) = min(maxBackoff, initialBackoff · factor^(attempt-1))}, attempt &ge; 1. */
    public long backoffCapMs(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
        }
        double cap = initialBackoffMs * Math.pow(factor, attempt - 1);
        return cap >= maxBackoffMs ? maxBackoffMs : (long) cap;
    }

    /**
     * When to start the attempt after the {@code attempt}-th failed one, which started at
     * {@code lastAtMs}: {@code lastAtMs + floor(u · cap(attempt))} with {@code u = random.nextDouble()}
     * uniform in [0, 1).
     */
    public long nextAttemptAtMs(int attempt, long lastAtMs, RandomGenerator random) {
        double u = random.nextDouble();
        if (!(u >= 0.0 && u < 1.0)) {
            throw new IllegalArgumentException("random.nextDouble() must be in [0, 1), was " + u);
        }
        return lastAtMs + (long) Math.floor(u * backoffCapMs(attempt));
    }

    /**
     * What to do after the {@code attempt}-th attempt (1 for the first) gave {@code result}.
     *
     * @param firstAttemptAtMs when the first attempt started (the age is counted from it)
     */
    public RetryDecision decide(NotifyResult result, int attempt, long firstAttemptAtMs, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
        }
        if (result.delivered()) {
            return RetryDecision.delivered();
        }
        if (!result.retryable()) {
            return RetryDecision.giveUp("not retryable: " + result.error());
        }
        if (attempt >= maxAttempts) {
            return RetryDecision.giveUp("gave up after " + attempt + " attempts: " + result.error());
        }
        long next = nextAttemptAtMs(attempt, result.atMs(), random);
        if (result.retryAfterMs() != null) {
            next = Math.max(next, result.atMs() + result.retryAfterMs());
        }
        if (next - firstAttemptAtMs > maxAgeMs) {
            return RetryDecision.giveUp("gave up: the next attempt would start more than " + maxAgeMs
                    + " ms after the first: " + result.error());
        }
        return RetryDecision.retryAt(next, result.error());
    }
}
