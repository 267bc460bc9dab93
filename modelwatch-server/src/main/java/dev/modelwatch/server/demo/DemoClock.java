package dev.modelwatch.server.demo;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The demo's compressed time: it starts at the wall clock's time when created and runs {@code speed}
 * times faster. The demo's server and its events both read it, so that every window, rule duration and
 * label delay is in demo time: at speed 60 one demo hour passes in a minute.
 */
public final class DemoClock extends Clock {
    private final Clock wall;
    private final double speed;
    private final long originMs;
    private final long wallStartMs;

    public DemoClock(Clock wall, double speed) {
        if (!(speed >= 1) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a number >= 1, was " + speed);
        }
        this.wall = wall;
        this.speed = speed;
        this.wallStartMs = wall.millis();
        this.originMs = wallStartMs;
    }

    /** The demo time at which the demo started. */
    public long originMs() {
        return originMs;
    }

    public double speed() {
        return speed;
    }

    @Override
    public long millis() {
        return originMs + Math.round((wall.millis() - wallStartMs) * speed);
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (!ZoneOffset.UTC.equals(zone)) {
            throw new UnsupportedOperationException("the demo clock is in UTC only, not " + zone);
        }
        return this;
    }
}
