package dev.modelwatch.server.demo;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.modelwatch.server.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The demo's local webhook receiver: it accepts the server's notifications (Alertmanager's webhook
 * payload) on 127.0.0.1 at {@code /hook}, prints each, and keeps them for whoever asks.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** The fields of a notification the demo prints. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Notification(String status, String receiver, List<Alert> alerts) {
    }

    /** One alert of a notification. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Alert(String status, Map<String, String> labels, Map<String, String> annotations) {
    }

    private final HttpServer http;
    private final Consumer<String> out;
    private final List<Notification> received = new CopyOnWriteArrayList<>();

    private WebhookReceiver(HttpServer http, Consumer<String> out) {
        this.http = http;
        this.out = out;
    }

    /** Starts listening on a free port of 127.0.0.1, handling requests on {@code executor}; prints to {@code out}. */
    public static WebhookReceiver start(Executor executor, Consumer<String> out) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("the demo's webhook receiver cannot listen on 127.0.0.1", e);
        }
        WebhookReceiver r = new WebhookReceiver(http, out);
        http.createContext("/hook", r::handle);
        http.setExecutor(executor);
        http.start();
        return r;
    }

    /** Where the server sends its notifications. */
    public String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/hook";
    }

    /** The notifications received so far, oldest first. */
    public List<Notification> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Notification n;
            try {
                n = Json.read(body.readAllBytes(), Notification.class, "webhook notification");
            } catch (IllegalArgumentException e) {
                out.accept("webhook: unreadable notification: " + e.getMessage());
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            received.add(n);
            for (Alert a : n.alerts() == null ? List.<Alert>of() : n.alerts()) {
                Map<String, String> labels = a.labels() == null ? Map.of() : a.labels();
                Map<String, String> notes = a.annotations() == null ? Map.of() : a.annotations();
                out.accept("webhook " + url() + " got: " + a.status() + " " + labels.get("alertname")
                        + (labels.containsKey("feature") ? " feature=" + labels.get("feature") : "")
                        + (notes.containsKey("summary") ? " - " + notes.get("summary") : ""));
            }
            exchange.sendResponseHeaders(200, -1);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
