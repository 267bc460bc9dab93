package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.alert.lifecycle.Acknowledgement;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.Stores;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the alert runtime tells its listener: each episode's start and end (a held resolution's release too), acknowledgements, and the firing alerts at start. */
class AlertListenerTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final long M = 60_000;
    private static final String CONFIG = """
            alerting: {default_rules: false, evaluation_interval: 10s}
            rules:
              - alert: AccuracyDrop
                expr: accuracy{model="fraud"} < 0.8
                flap_window: 10m
            """;

    @TempDir
    Path dir;
    Store store;
    final ManualClock clock = new ManualClock(T0);
    volatile double accuracy;
    final SeriesSource source = (String name, List<LabelMatcher> matchers, long from, long to) -> {
        SeriesLabels labels = SeriesLabels.metric(name, Map.of("model", "fraud"));
        // every window fully labelled: the alerts are never provisional (ProvisionalAlertsTest covers those)
        double value = name.equals("label_coverage") ? 1.0 : accuracy;
        return List.of(new RangeSeries(labels, new long[] {to}, new double[] {value}));
    };
    final List<String> heard = new CopyOnWriteArrayList<>();
    final AlertListener listener = new AlertListener() {
        @Override
        public void onTransitions(List<AlertTransition> transitions, long nowMs) {
            transitions.forEach(t -> heard.add((nowMs - T0) / M + "m " + t.from().wireName() + ">" + t.to().wireName()
                    + " " + t.effect()));
        }

        @Override
        public void onAcknowledged(AlertTransition t, Acknowledgement ack) {
            heard.add("ack " + t.labels().get("alertname") + " by " + ack.by());
        }

        @Override
        public void onRestored(List<AlertInstance> notifying, long nowMs) {
            heard.add("restored " + notifying.size() + " firing");
        }
    };

    @BeforeEach
    void open() {
        store = Stores.open("jdbc:sqlite:" + dir.resolve("db.sqlite"), SketchSettings.DEFAULT);
    }

    @AfterEach
    void close() {
        store.close();
    }

    AlertRuntime runtime() {
        AlertRuntime alerts = AlertRuntime.builder(ConfigLoader.parse(CONFIG, "rules.yml").alerting(), store, source)
                .clock(clock).random(new SplittableRandom(1)).listener(listener).build();
        alerts.restore();
        return alerts;
    }

    void step(AlertRuntime alerts, long minute, double value) {
        accuracy = value;
        clock.set(T0 + minute * M);
        alerts.evaluateOnce(T0 + minute * M);
    }

    @Test
    void theListenerHearsEachEpisodeAndTheReleaseOfAHeldResolution() {
        AlertRuntime alerts = runtime();
        step(alerts, 0, 0.5);
        String id = alerts.alerts(null, "fraud").get(0).alert().id();
        assertThat(alerts.acknowledge(id, "ana", "on it")).isTrue();
        step(alerts, 1, 0.9);
        step(alerts, 2, 0.5);  // fires again within the flap window: flapping
        step(alerts, 3, 0.9);  // its resolution is held for the flap window
        step(alerts, 8, 0.9);  // still held: nothing to tell
        step(alerts, 13, 0.9); // clear for the flap window: released
        assertThat(heard).containsExactly(
                "0m inactive>firing FIRE",
                "ack AccuracyDrop by ana",
                "1m firing>resolved RESOLVE",
                "2m resolved>firing FIRE",
                "3m firing>resolved HELD",
                "13m resolved>resolved RESOLVE");
    }

    @Test
    void atStartTheListenerIsToldWhichAlertsFire() {
        AlertRuntime first = runtime();
        step(first, 0, 0.5);
        heard.clear();
        AlertRuntime again = AlertRuntime.builder(ConfigLoader.parse(CONFIG, "rules.yml").alerting(), store, source)
                .clock(clock).random(new SplittableRandom(1)).listener(listener).build();
        again.start(dev.modelwatch.server.health.WorkerThreads.PLAIN,
                java.util.concurrent.Executors.newCachedThreadPool());
        try {
            assertThat(heard.get(0)).isEqualTo("restored 1 firing");
        } finally {
            again.close();
        }
    }
}
