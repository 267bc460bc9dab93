package dev.modelwatch.bench.calibration;

import java.util.concurrent.Executors;

/** One pool of daemon threads (one per processor) that the calibration tests run their trials on. */
final class TestTrials {
    static final Trials TRIALS = new Trials(Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "calibration-trial");
                t.setDaemon(true);
                return t;
            }));

    private TestTrials() {
    }
}
