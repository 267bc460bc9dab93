package dev.modelwatch.server.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo workload: a fraud classifier in production, sending predictions through the public
 * HTTP API every second and their labels 30 seconds later, with a scripted ten-minute cycle of
 * faults — input drift, a bad new version, missing values, a latency spike — so that a new user
 * sees the metrics move.
 */
public final class DemoTraffic {
    private static final Logger LOG = LoggerFactory.getLogger(DemoTraffic.class);
    private static final String[] COUNTRIES = {"DE", "FR", "US", "GB", "IN", "BR"};
    private static final String[] REGIONS = {"eu", "eu", "us", "eu", "apac", "us"};
    private static final long CYCLE_S = 600;

    private final String base;
    private final double speed;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SplittableRandom random;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final long startMs;
    private long seq;
    private String lastPhase = "";

    private DemoTraffic(String base, double speed, Clock clock, SplittableRandom random, ScheduledExecutorService timer) {
        this.base = base;
        this.speed = speed;
        this.clock = clock;
        this.random = random;
        this.timer = timer;
        this.startMs = clock.millis();
    }

    /**
     * Declares the demo model and starts sending traffic to the server at {@code baseUrl}: every
     * second on {@code timer}, with times from {@code clock} and values drawn from {@code random}.
     */
    public static DemoTraffic start(String baseUrl, double speed, Clock clock, SplittableRandom random,
                                    ScheduledExecutorService timer) {
        DemoTraffic d = new DemoTraffic(baseUrl, speed, clock, random, timer);
        d.send("PUT", "/api/v1/models/fraud",
                "{\"task\":\"binary_classification\",\"positive_class\":\"1\",\"window\":\"1m\"}", "application/json");
        d.timer.scheduleAtFixedRate(d::tick, 0, 1, TimeUnit.SECONDS);
        LOG.info("dashboard: open {}/ in a browser", baseUrl);
        LOG.info("demo traffic started: model 'fraud'. Try: curl -s '{}/api/v1/models/fraud/summary' | head -c 2000", baseUrl);
        LOG.info("time series: curl -s '{}/api/v1/models/fraud/metrics?names=accuracy,roc_auc,latency_p99_ms&step=1m'",
                baseUrl);
        return d;
    }

    private String phase(long elapsedS) {
        long t = elapsedS % CYCLE_S;
        if (t < 180) {
            return "normal";
        } else if (t < 300) {
            return "drift";
        } else if (t < 420) {
            return "bad-version";
        } else if (t < 480) {
            return "missing-values";
        } else if (t < 540) {
            return "latency-spike";
        }
        return "normal";
    }

    private void tick() {
        try {
            long now = clock.millis();
            String phase = phase((now - startMs) / 1000);
            if (!phase.equals(lastPhase)) {
                LOG.info("demo phase: {}", phase);
                lastPhase = phase;
            }
            int n = Math.max(1, (int) Math.round(20 * speed));
            List<String> predictions = new ArrayList<>(n);
            List<String> labels = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = "demo-" + (++seq);
                int c = random.nextInt(COUNTRIES.length);
                double amount = Math.exp(3.5 + random.nextGaussian() * 1.0) * (phase.equals("drift") ? 3 : 1);
                double age = 18 + random.nextInt(60);
                boolean missingAge = phase.equals("missing-values") ? random.nextDouble() < 0.4 : random.nextDouble() < 0.01;
                double logit = -2.6 + 0.02 * Math.min(amount, 250) + (c == 4 ? 1.5 : 0) - 0.03 * (age - 40);
                double truth = 1 / (1 + Math.exp(-logit));
                boolean fraud = random.nextDouble() < truth;
                String version = phase.equals("bad-version") ? "v2" : "v1";
                double modelLogit = logit + (version.equals("v2") ? random.nextGaussian() * 3 : random.nextGaussian() * 0.3);
                double score = 1 / (1 + Math.exp(-modelLogit));
                double latency = Math.exp(2.3 + random.nextGaussian() * 0.4) * (phase.equals("latency-spike") ? 8 : 1);
                predictions.add(String.format(Locale.ROOT,
                        "{\"type\":\"prediction\",\"model\":\"fraud\",\"id\":\"%s\",\"version\":\"%s\",\"timestamp\":%d,"
                                + "\"features\":{\"amount\":%.2f,\"age\":%s,\"country\":\"%s\",\"device\":\"%s\"},"
                                + "\"prediction\":%d,\"score\":%.5f,\"latency_ms\":%.2f,\"segments\":{\"region\":\"%s\"}}",
                        id, version, now, amount, missingAge ? "null" : Double.toString(age), COUNTRIES[c],
                        random.nextBoolean() ? "mobile" : "web", score >= 0.5 ? 1 : 0, score, latency, REGIONS[c]));
                labels.add(String.format(Locale.ROOT,
                        "{\"type\":\"label\",\"model\":\"fraud\",\"id\":\"%s\",\"label\":%d}", id, fraud ? 1 : 0));
            }
            send("POST", "/api/v1/events", String.join("\n", predictions), "application/x-ndjson");
            timer.schedule(() -> send("POST", "/api/v1/events", "[" + String.join(",", labels) + "]",
                    "application/json"), 30, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            LOG.warn("demo traffic: {}", e.getMessage());
        }
    }

    private void send(String method, String path, String body, String type) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                LOG.warn("demo traffic: {} {} answered {}: {}", method, path, r.statusCode(), r.body());
            }
        } catch (java.io.IOException e) {
            LOG.warn("demo traffic: {} {} failed: {}", method, path, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
