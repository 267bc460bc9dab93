package dev.modelwatch.bench;

import com.sun.net.httpserver.HttpServer;
import dev.modelwatch.server.ModelWatchServer;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * From a breach to a webhook notification, through the real server: a model with 1-second windows,
 * the rule {@code error_rate{model="latency"} > 0.5} with {@code for: 0s}, a route with
 * {@code group_wait: 0s}, and a webhook receiver in this process. Each trial posts failing
 * predictions into the current second, waits for the firing notification, then posts healthy
 * predictions until the resolved notification arrives ({@code flap_window: 0s}: each trial is a new
 * episode, not flapping). Reported per trial: from the close of the
 * breaching window to the webhook receiving the notification, and from the first breaching event
 * posted to it.
 *
 * <p>Usage: {@code java -cp modelwatch-bench-all.jar dev.modelwatch.bench.AlertLatencyBenchmark [trials]}
 */
public final class AlertLatencyBenchmark {
    private AlertLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        BlockingQueue<long[]> hooks = new LinkedBlockingQueue<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            long at = System.currentTimeMillis();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            hooks.add(new long[] {at, body.contains("\"status\":\"firing\"") ? 1 : 0});
            if (System.getenv("DEBUG_HOOK") != null) {
                System.out.println(at + " " + body);
            }
        });
        hook.start();
        Path dir = Files.createTempDirectory("modelwatch-alert-latency");
        String yaml = """
                alerting: {evaluation_interval: 10s, default_rules: false}
                models:
                  latency: {task: binary_classification, window: 1s}
                rules:
                  - alert: ErrorRateHigh
                    expr: error_rate{model="latency"} > 0.5
                    flap_window: 0s
                    for: 0s
                route: {receiver: hook, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 4h}
                receivers:
                  - name: hook
                    webhook_configs: [{url: "http://127.0.0.1:%d/hook", send_resolved: true}]
                """.formatted(hook.getAddress().getPort());
        ServerConfig config = ConfigLoader.parse(yaml, "bench.yml").withDataDir(dir).withPort(0);
        HttpClient http = HttpClient.newHttpClient();
        List<Double> fromClose = new ArrayList<>();
        List<Double> fromFirstEvent = new ArrayList<>();
        try (ModelWatchServer server = ModelWatchServer.start(config, Clock.systemUTC())) {
            String events = "http://127.0.0.1:" + server.port() + "/api/v1/events";
            for (int t = 0; t < trials + 2; t++) {
                // breach: failing predictions in the current second
                long first = System.currentTimeMillis();
                long windowEnd = (first / 1000 + 1) * 1000;
                post(http, events, batch(first, 20, true));
                long[] firing = await(hooks, true);
                if (t >= 2) { // the first two trials warm the JIT
                    fromClose.add((firing[0] - windowEnd) / 1.0);
                    fromFirstEvent.add((firing[0] - first) / 1.0);
                }
                // recover: healthy predictions each second until the resolution arrives
                long deadline = System.currentTimeMillis() + 20_000;
                long[] resolved = null;
                while (resolved == null && System.currentTimeMillis() < deadline) {
                    post(http, events, batch(System.currentTimeMillis(), 20, false));
                    resolved = pollFor(hooks, false, 1_000);
                }
                if (resolved == null) {
                    throw new IllegalStateException("no resolved notification in 20 s");
                }
                Thread.sleep(1_100); // the next trial starts in a fresh window
            }
        } finally {
            hook.stop(0);
        }
        report("window close -> webhook", fromClose);
        report("first breaching event posted -> webhook", fromFirstEvent);
    }

    private static String batch(long ts, int n, boolean failing) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("{\"type\":\"prediction\",\"model\":\"latency\",\"timestamp\":").append(ts)
                    .append(",\"prediction\":1,\"score\":0.9");
            if (failing) {
                b.append(",\"error\":\"timeout\"");
            }
            b.append("}\n");
        }
        return b.toString();
    }

    private static void post(HttpClient http, String url, String ndjson) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("ingest answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static long[] await(BlockingQueue<long[]> hooks, boolean firing) throws InterruptedException {
        long[] h = pollFor(hooks, firing, 20_000);
        if (h == null) {
            throw new IllegalStateException("no " + (firing ? "firing" : "resolved") + " notification in 20 s");
        }
        return h;
    }

    private static long[] pollFor(BlockingQueue<long[]> hooks, boolean firing, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            long[] h = hooks.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (h != null && (h[1] == 1) == firing) {
                return h;
            }
        }
        return null;
    }

    private static void report(String what, List<Double> ms) {
        double[] v = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%s: n=%d  p50 %.0f ms  p90 %.0f ms  p99 %.0f ms  max %.0f ms%n", what, v.length,
                pct(v, 0.50), pct(v, 0.90), pct(v, 0.99), v[v.length - 1]);
    }

    private static double pct(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
