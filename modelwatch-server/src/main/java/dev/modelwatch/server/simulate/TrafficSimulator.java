package dev.modelwatch.server.simulate;

import dev.modelwatch.server.agent.ResourceMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Realistic traffic of one binary classifier with faults injected at a labelled onset, as NDJSON
 * events for {@code POST /api/v1/events}: numerical features {@code x1..x4} (normal), {@code amount}
 * (lognormal), categorical {@code device} and {@code channel}, segment {@code region} (eu 30%, us 30%,
 * apac 25%, latam 15%), version {@code v1}, scores from a fixed logistic model
 * ({@code 1.2 x1 - 0.8 x2 + 0.5 x3 + 0.3 [device = ios] - 0.5}) whose labels are drawn from the same
 * relation (a calibrated model), 80% of predictions labelled two windows late, lognormal latencies
 * around 20 ms, and the CPU utilization of the two serving hosts every ten seconds (named as
 * {@code modelwatch agent} names it). Every draw comes from
 * the {@link RandomGenerator} passed in, so a seed gives the same traffic. The volume follows a daily
 * cycle of +-30% ({@link #volume}) over {@link Scenario#dayWindows()} windows.
 *
 * <p>Faults, from the onset window on:
 * <ul>
 *   <li>{@link Fault#COVARIATE}: {@code x2} shifts by +1 sd;</li>
 *   <li>{@link Fault#GRADUAL_COVARIATE}: {@code x2} shifts by up to +1.5 sd, growing linearly over
 *       {@value #RAMP_WINDOWS} windows;</li>
 *   <li>{@link Fault#RECURRING_COVARIATE}: {@code x3} shifts by +1 sd during {@value #RECURRENCE_WINDOWS}
 *       windows out of every {@code 2 x} {@value #RECURRENCE_WINDOWS} (each return is an onset,
 *       {@link #onsetWindows});</li>
 *   <li>{@link Fault#DATA_QUALITY}: {@code x4} goes missing in 40% of events at once (a broken join);</li>
 *   <li>{@link Fault#CATEGORY_EXPLOSION}: half the events carry a {@code channel} never seen before
 *       (one of a thousand new values: an upstream id leaking into a category);</li>
 *   <li>{@link Fault#UNIT_CHANGE}: {@code amount} arrives in cents (x 100) at once (a producer's unit
 *       change: out-of-range values that also look like a drift);</li>
 *   <li>{@link Fault#CONCEPT}: the labels' relation to {@code x1} reverses (inputs unchanged);</li>
 *   <li>{@link Fault#LABEL_SHIFT}: 35% of negative labels become positive (the class balance moves,
 *       inputs and scores do not);</li>
 *   <li>{@link Fault#SEGMENT}: the concept fault in {@code region=latam} only;</li>
 *   <li>{@link Fault#VERSION}: version {@code v2} takes half the traffic, its scores from a model that
 *       lost {@code x1};</li>
 *   <li>{@link Fault#INFRASTRUCTURE}: host {@code h1} saturates (CPU 40% → 97%) and latency triples;</li>
 *   <li>{@link Fault#ERROR_BURST}: host {@code h2} saturates and 15% of the predictions fail
 *       ({@code "error": "timeout"}, no output);</li>
 *   <li>{@link Fault#TRAFFIC_SURGE}: 2.5 times the traffic; past 1.5 times the usual load the serving
 *       hosts queue, and latency grows with the square of the excess load (CPU metrics unchanged);</li>
 *   <li>{@link Fault#TRAFFIC_DROP}: a fifth of the traffic, nothing else changes (a silent upstream
 *       loss);</li>
 *   <li>{@link Fault#TRAINING}: version {@code v2-r-17}, trained by run {@code r-17} whose loss became
 *       NaN, takes all traffic; it lost {@code x1} like {@link Fault#VERSION}'s.</li>
 * </ul>
 */
public final class TrafficSimulator {
    /** The faults a scenario can inject. */
    public enum Fault {
        COVARIATE, GRADUAL_COVARIATE, RECURRING_COVARIATE, DATA_QUALITY, CATEGORY_EXPLOSION, UNIT_CHANGE, CONCEPT,
        LABEL_SHIFT, SEGMENT, VERSION, INFRASTRUCTURE, ERROR_BURST, TRAFFIC_SURGE, TRAFFIC_DROP, TRAINING
    }

    /**
     * A scenario: the faults injected at window {@code onsetWindow} of {@code windows}.
     *
     * @param name        for reports
     * @param model       the model the events are for
     * @param faults      the faults (none: clean traffic)
     * @param windows     how many windows of traffic
     * @param onsetWindow the first window with the faults
     * @param perWindow   predictions per window (on average over the daily cycle)
     * @param dayWindows  the period of the volume's daily cycle, in windows
     */
    public record Scenario(String name, String model, Set<Fault> faults, int windows, int onsetWindow, int perWindow,
                           int dayWindows) {
        public Scenario {
            faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
            if (windows < 1) {
                throw new IllegalArgumentException("windows must be at least 1, got " + windows);
            }
            if (onsetWindow < 0 || onsetWindow > windows) {
                throw new IllegalArgumentException("onsetWindow must be in 0.." + windows + ", got " + onsetWindow);
            }
            if (perWindow < 1) {
                throw new IllegalArgumentException("perWindow must be at least 1, got " + perWindow);
            }
            if (dayWindows < 1) {
                throw new IllegalArgumentException("dayWindows must be at least 1, got " + dayWindows);
            }
        }

        /** A scenario whose "day" is its whole length, so that both sides of the onset see peaks and troughs. */
        public Scenario(String name, String model, Set<Fault> faults, int windows, int onsetWindow, int perWindow) {
            this(name, model, faults, windows, onsetWindow, perWindow, windows);
        }
    }

    public static final String[] REGIONS = {"eu", "us", "apac", "latam"};
    private static final double[] REGION_CDF = {0.30, 0.60, 0.85, 1.0};
    private static final String[] DEVICES = {"ios", "android", "web"};
    private static final String[] CHANNELS = {"app", "partner", "email", "search"};
    public static final String TRAINING_RUN = "r-17";
    public static final int LABEL_DELAY_WINDOWS = 2;
    /** Windows over which {@link Fault#GRADUAL_COVARIATE} reaches its full shift. */
    public static final int RAMP_WINDOWS = 10;
    /** Length of each episode (and of each pause) of {@link Fault#RECURRING_COVARIATE}, in windows. */
    public static final int RECURRENCE_WINDOWS = 5;

    private final Scenario s;
    private final RandomGenerator random;
    private final long startMs;
    private final long windowMs;
    private final Deque<String[]> pendingLabels = new ArrayDeque<>(); // {release window, ndjson}
    private boolean hostMetrics = true;
    private int windowsPerDay;

    public TrafficSimulator(Scenario scenario, RandomGenerator random, long startMs, long windowMs) {
        if (windowMs < 1_000) {
            throw new IllegalArgumentException("windowMs must be at least 1000, got " + windowMs);
        }
        this.s = scenario;
        this.random = random;
        this.startMs = startMs;
        this.windowMs = windowMs;
        this.windowsPerDay = scenario.dayWindows();
    }

    /** A daily cycle of volume {@code windowsPerDay} windows long (by default {@link Scenario#dayWindows()}). */
    public TrafficSimulator withDay(int windowsPerDay) {
        if (windowsPerDay < 2) {
            throw new IllegalArgumentException("windowsPerDay: must be at least 2, got " + windowsPerDay);
        }
        this.windowsPerDay = windowsPerDay;
        return this;
    }

    /** Leaves the hosts' readings out of {@link #window}, for a test whose readings come from {@code modelwatch agent}. */
    public TrafficSimulator withoutHostMetrics() {
        hostMetrics = false;
        return this;
    }

    public Scenario scenario() {
        return s;
    }

    public long startMs() {
        return startMs;
    }

    public long windowMs() {
        return windowMs;
    }

    public long onsetMs() {
        return startMs + s.onsetWindow() * windowMs;
    }

    public long endMs() {
        return startMs + s.windows() * windowMs;
    }

    /**
     * The windows where a fault starts: the onset for each fault, and each return of a recurring one.
     * Empty for clean traffic.
     */
    public List<Integer> onsetWindows(Fault fault) {
        List<Integer> out = new ArrayList<>();
        if (!s.faults().contains(fault) || s.onsetWindow() >= s.windows()) {
            return out;
        }
        if (fault != Fault.RECURRING_COVARIATE) {
            out.add(s.onsetWindow());
            return out;
        }
        for (int w = s.onsetWindow(); w < s.windows(); w += 2 * RECURRENCE_WINDOWS) {
            out.add(w);
        }
        return out;
    }

    /** Whether {@code fault} is active in window {@code w} (a recurring fault pauses between episodes). */
    public boolean active(Fault f, int w) {
        if (w < s.onsetWindow() || !s.faults().contains(f)) {
            return false;
        }
        return f != Fault.RECURRING_COVARIATE || ((w - s.onsetWindow()) / RECURRENCE_WINDOWS) % 2 == 0;
    }

    /**
     * The training events of the scenario's run (a loss that falls, then turns NaN), one a second in the
     * minute before the traffic's start, or "" without the fault.
     */
    public String trainingEvents() {
        return trainingEvents(startMs);
    }

    /**
     * The training events of the scenario's run, one a second in the minute before {@code endMs} (the run
     * ends, its version is deployed), or "" without the fault.
     */
    public String trainingEvents(long endMs) {
        if (!s.faults().contains(Fault.TRAINING)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int step = 0; step < 60; step++) {
            String loss = step < 50 ? fmt(2.0 / (1 + step / 10.0)) : "NaN";
            b.append("{\"type\":\"training\",\"model\":\"").append(s.model()).append("\",\"run\":\"").append(TRAINING_RUN)
                    .append("\",\"step\":").append(step).append(",\"timestamp\":").append(endMs - 60_000 + step * 1_000L)
                    .append(",\"metrics\":{\"loss\":").append(loss).append(",\"lr\":0.001}}\n");
        }
        return b.toString();
    }

    /** The events of window {@code w}: its predictions, resource metrics, and the labels now due. */
    public String window(int w) {
        StringBuilder b = new StringBuilder(s.perWindow() * 330);
        StringBuilder labels = new StringBuilder();
        long from = startMs + w * windowMs;
        int count = volume(w);
        double queueing = Math.pow(Math.max(1, count / (1.5 * s.perWindow())), 2);
        for (int i = 0; i < count; i++) {
            long ts = from + (long) ((i + random.nextDouble()) * windowMs / count);
            prediction(w, i, ts, queueing, b, labels);
        }
        for (long t = from; hostMetrics && t < from + windowMs; t += 10_000) {
            for (String host : new String[] {"h1", "h2"}) {
                double cpu = 40 + 5 * random.nextGaussian();
                if ((host.equals("h1") && active(Fault.INFRASTRUCTURE, w))
                        || (host.equals("h2") && active(Fault.ERROR_BURST, w))) {
                    cpu = Math.min(100, 97 + random.nextGaussian());
                }
                b.append("{\"type\":\"metric\",\"name\":\"").append(ResourceMetrics.HOST_CPU_UTILIZATION)
                        .append("\",\"value\":").append(fmt(cpu))
                        .append(",\"model\":\"").append(s.model()).append("\",\"labels\":{\"host\":\"").append(host)
                        .append("\"},\"timestamp\":").append(t).append("}\n");
            }
        }
        pendingLabels.add(new String[] {Integer.toString(w + LABEL_DELAY_WINDOWS), labels.toString()});
        while (!pendingLabels.isEmpty() && Integer.parseInt(pendingLabels.peek()[0]) <= w) {
            b.append(pendingLabels.poll()[1]);
        }
        return b.toString();
    }

    /**
     * Predictions in window {@code w}: {@code perWindow} on average, with a daily cycle of +-30% over
     * {@link Scenario#dayWindows()} windows (or {@link #withDay}'s) and 5% noise.
     */
    public int volume(int w) {
        double cycle = 1 + 0.3 * Math.sin(2 * Math.PI * (w + 0.5) / windowsPerDay);
        double factor = active(Fault.TRAFFIC_SURGE, w) ? 2.5 : active(Fault.TRAFFIC_DROP, w) ? 0.2 : 1;
        return (int) Math.max(1, Math.round(s.perWindow() * factor * cycle * (1 + 0.05 * random.nextGaussian())));
    }

    /** The labels still held back, for the end of the traffic. */
    public String remainingLabels() {
        StringBuilder b = new StringBuilder();
        while (!pendingLabels.isEmpty()) {
            b.append(pendingLabels.poll()[1]);
        }
        return b.toString();
    }

    private double x2Shift(int w) {
        if (active(Fault.COVARIATE, w)) {
            return 1.0;
        }
        if (active(Fault.GRADUAL_COVARIATE, w)) {
            return 1.5 * Math.min(1.0, (w - s.onsetWindow() + 1) / (double) RAMP_WINDOWS);
        }
        return 0;
    }

    private void prediction(int w, int i, long ts, double queueing, StringBuilder b, StringBuilder labels) {
        double x1 = random.nextGaussian();
        double x2 = random.nextGaussian() + x2Shift(w);
        double x3 = random.nextGaussian() + (active(Fault.RECURRING_COVARIATE, w) ? 1.0 : 0);
        double x4 = random.nextGaussian();
        double amount = Math.exp(3 + 0.8 * random.nextGaussian()) * (active(Fault.UNIT_CHANGE, w) ? 100 : 1);
        String device = DEVICES[random.nextInt(DEVICES.length)];
        String channel = CHANNELS[random.nextInt(CHANNELS.length)];
        if (active(Fault.CATEGORY_EXPLOSION, w) && random.nextDouble() < 0.5) {
            channel = "c-" + random.nextInt(1_000);
        }
        double u = random.nextDouble();
        int r = 0;
        while (u > REGION_CDF[r]) {
            r++;
        }
        String region = REGIONS[r];
        double ios = device.equals("ios") ? 0.3 : 0;
        String version = "v1";
        double modelLogit = 1.2 * x1 - 0.8 * x2 + 0.5 * x3 + ios - 0.5;
        if (active(Fault.TRAINING, w)) {
            version = "v2-" + TRAINING_RUN;
        } else if (active(Fault.VERSION, w) && random.nextDouble() < 0.5) {
            version = "v2";
        }
        if (!version.equals("v1")) {
            modelLogit = 0.1 * x1 - 0.8 * x2 + 0.5 * x3 + ios - 0.5;
        }
        double score = 1 / (1 + Math.exp(-modelLogit));
        boolean reversed = active(Fault.CONCEPT, w) || (active(Fault.SEGMENT, w) && region.equals("latam"));
        double trueLogit = (reversed ? -1.2 : 1.2) * x1 - 0.8 * x2 + 0.5 * x3 + ios - 0.5;
        int label = random.nextDouble() < 1 / (1 + Math.exp(-trueLogit)) ? 1 : 0;
        if (label == 0 && active(Fault.LABEL_SHIFT, w) && random.nextDouble() < 0.35) {
            label = 1;
        }
        double latency = queueing * Math.exp(Math.log(20) + 0.3 * random.nextGaussian());
        if (active(Fault.INFRASTRUCTURE, w)) {
            latency *= 3;
        }
        boolean failed = active(Fault.ERROR_BURST, w) && random.nextDouble() < 0.15;
        boolean missingX4 = active(Fault.DATA_QUALITY, w) && random.nextDouble() < 0.4;
        String id = s.model() + "-" + w + "-" + i;
        b.append("{\"type\":\"prediction\",\"model\":\"").append(s.model()).append("\",\"id\":\"").append(id)
                .append("\",\"version\":\"").append(version).append("\",\"timestamp\":").append(ts)
                .append(",\"features\":{\"x1\":").append(fmt(x1)).append(",\"x2\":").append(fmt(x2))
                .append(",\"x3\":").append(fmt(x3)).append(",\"x4\":").append(missingX4 ? "null" : fmt(x4))
                .append(",\"amount\":").append(fmt(amount)).append(",\"device\":\"").append(device)
                .append("\",\"channel\":\"").append(channel).append("\"}");
        if (failed) {
            b.append(",\"error\":\"timeout\"");
        } else {
            b.append(",\"score\":").append(fmt(score)).append(",\"prediction\":\"").append(score >= 0.5 ? "1" : "0")
                    .append('"');
        }
        b.append(",\"latency_ms\":").append(fmt(latency)).append(",\"segments\":{\"region\":\"").append(region)
                .append("\"}}\n");
        if (!failed && random.nextDouble() < 0.8) {
            long labelAt = ts + LABEL_DELAY_WINDOWS * windowMs;
            labels.append("{\"type\":\"label\",\"model\":\"").append(s.model()).append("\",\"id\":\"").append(id)
                    .append("\",\"label\":\"").append(label).append("\",\"timestamp\":").append(labelAt).append("}\n");
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.5g", v);
    }
}
