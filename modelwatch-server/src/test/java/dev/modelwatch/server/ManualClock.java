package dev.modelwatch.server;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A UTC clock that stands still until a test moves it ({@link #now}). */
public final class ManualClock extends Clock {
    public final AtomicLong now;

    public ManualClock(long start) {
        this.now = new AtomicLong(start);
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
