package dev.modelwatch.server.simulate;

import dev.modelwatch.server.simulate.Scenarios.Named;
import dev.modelwatch.server.simulate.TrafficSimulator.Fault;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Plays a {@link TrafficSimulator}'s windows into an {@link EventSink} (a file, or a server's ingest
 * API), window after window, paced by a speed: at speed N a window of event time is sent N times faster
 * than it lasts (speed 0: as fast as the sink takes them). Each fault's onset is reported when the
 * window that holds it is sent.
 */
public final class Simulation {
    /** Where the NDJSON goes. */
    public interface EventSink {
        /** Sends a block of NDJSON lines (each ending with a newline); returns how many events it took. */
        long send(String ndjson) throws IOException, InterruptedException;
    }

    /** Waits, for the pacing (injected so that tests need not wait). */
    public interface Sleeper {
        void sleep(long ms) throws InterruptedException;
    }

    /**
     * A labelled fault onset, a line of the {@code --onsets} file.
     *
     * @param scenario       the scenario's name
     * @param model          the model the events are for
     * @param fault          the fault, lower case ({@code covariate}, {@code data_quality}, ...)
     * @param window         the index of the first window with the fault
     * @param onset          its start, RFC 3339
     * @param onsetMs        its start, epoch milliseconds
     * @param expectedCause  the diagnosis's cause that should rank first ({@code covariate_drift feature=x2}),
     *                       null where no kind of cause covers the fault
     */
    public record FaultOnset(String scenario, String model, String fault, int window, String onset, long onsetMs,
                             String expectedCause) {
    }

    /** What a run sent: the events the sink took and the onsets. */
    public record Summary(long events, List<FaultOnset> onsets) {
    }

    private Simulation() {
    }

    /** Every onset of a scenario's faults, in time order. */
    public static List<FaultOnset> onsets(Named named, TrafficSimulator sim) {
        List<FaultOnset> out = new ArrayList<>();
        for (Fault f : named.faults()) {
            for (int w : sim.onsetWindows(f)) {
                long ms = sim.startMs() + w * sim.windowMs();
                out.add(new FaultOnset(named.name(), sim.scenario().model(), f.name().toLowerCase(Locale.ROOT), w,
                        Instant.ofEpochMilli(ms).toString(), ms,
                        named.expected() == null ? null : named.expected().toString()));
            }
        }
        out.sort(Comparator.comparingLong(FaultOnset::onsetMs));
        return out;
    }

    /**
     * Sends the whole scenario: every window (paced by {@code speed}; before the onset's, the training
     * run whose version then serves, for a training fault), then the labels still held back.
     *
     * @param speed   event time over wall time; 0 sends as fast as the sink takes it
     * @param onOnset called with each onset as the window holding it is sent
     */
    public static Summary run(Named named, TrafficSimulator sim, EventSink sink, double speed, Clock clock,
                              Sleeper sleeper, Consumer<FaultOnset> onOnset) throws IOException, InterruptedException {
        if (!(speed >= 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a finite number >= 0, got " + speed);
        }
        List<FaultOnset> onsets = onsets(named, sim);
        long events = 0;
        long wallStart = clock.millis();
        int next = 0;
        for (int w = 0; w < sim.scenario().windows(); w++) {
            if (speed > 0) {
                long due = wallStart + (long) ((w + 1) * sim.windowMs() / speed);
                long wait = due - clock.millis();
                if (wait > 0) {
                    sleeper.sleep(wait);
                }
            }
            if (w == sim.scenario().onsetWindow()) {
                String training = sim.trainingEvents(sim.onsetMs());
                if (!training.isEmpty()) {
                    events += sink.send(training);
                }
            }
            events += sink.send(sim.window(w));
            while (next < onsets.size() && onsets.get(next).window() <= w) {
                onOnset.accept(onsets.get(next++));
            }
        }
        String rest = sim.remainingLabels();
        if (!rest.isEmpty()) {
            events += sink.send(rest);
        }
        return new Summary(events, onsets);
    }

    /** The number of lines of an NDJSON block. */
    public static long lines(String ndjson) {
        long n = 0;
        for (int i = 0; i < ndjson.length(); i++) {
            if (ndjson.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
