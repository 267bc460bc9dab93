package dev.modelwatch.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tests' one manual clock: a UTC clock that stands still until a test moves it. Usage:
 * <pre>{@code
 * ManualClock clock = new ManualClock(T0);
 * clock.advance(Duration.ofSeconds(30));   // or clock.set(T0 + 30_000)
 * }</pre>
 */
public final class ManualClock extends Clock {
    /** The time in epoch milliseconds (tests that share it with a time source read it directly). */
    public final AtomicLong now;

    public ManualClock(long startEpochMs) {
        this.now = new AtomicLong(startEpochMs);
    }

    /** Moves the clock forward by {@code d} (not backward: a negative {@code d} is refused). */
    public ManualClock advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a manual clock only moves forward, was asked to move by " + d);
        }
        now.addAndGet(d.toMillis());
        return this;
    }

    /** Sets the time to {@code epochMs}. */
    public void set(long epochMs) {
        now.set(epochMs);
    }

    @Override
    public long millis() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(now.get());
    }
}
