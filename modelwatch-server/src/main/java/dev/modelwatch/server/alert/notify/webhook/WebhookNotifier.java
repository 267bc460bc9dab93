package dev.modelwatch.server.alert.notify.webhook;

import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.HttpDelivery;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.Redactor;
import dev.modelwatch.server.json.Json;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * POSTs Alertmanager's version 4 webhook payload ({@link WebhookPayload}) as JSON. Any 2xx is
 * delivered; other answers are classified by {@link NotifyResult#forHttpStatus}.
 *
 * <p>Usage: {@code new WebhookNotifier("webhook[0]", config, httpClient, clock, "").send(notification)}
 */
public final class WebhookNotifier implements Notifier {

    private final String name;
    private final WebhookConfig config;
    private final Clock clock;
    private final String externalUrl;
    private final IncidentLinks links;
    private final HttpDelivery http;

    public WebhookNotifier(String name, WebhookConfig config, HttpClient client, Clock clock, String externalUrl) {
        this(name, config, client, clock, externalUrl, IncidentLinks.NONE);
    }

    /** As the other constructor, with the incident of each alert found by {@code links} (sent in the payload). */
    public WebhookNotifier(String name, WebhookConfig config, HttpClient client, Clock clock, String externalUrl,
                           IncidentLinks links) {
        this.links = links == null ? IncidentLinks.NONE : links;
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.externalUrl = externalUrl == null ? "" : externalUrl;
        Redactor r = config.url().redactor();
        if (config.bearerToken() != null) {
            r = r.with(List.of(config.bearerToken().reveal()));
        }
        this.http = new HttpDelivery(client, r);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean sendResolved() {
        return config.sendResolved();
    }

    @Override
    public NotifyResult send(Notification n) {
        long at = clock.millis();
        if (n.firing().isEmpty() && !(config.sendResolved() && !n.resolved().isEmpty())) {
            return NotifyResult.nothingToSend(at);
        }
        byte[] body;
        try {
            body = Json.bytes(WebhookPayload.of(n, config.sendResolved(), config.maxAlerts(), externalUrl, links));
        } catch (UncheckedIOException e) {
            return NotifyResult.failed(false, -1, "cannot write the payload: " + e.getCause().getMessage(), at);
        }
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Idempotency-Key", n.idempotencyKey());
        if (config.bearerToken() != null) {
            headers.put("Authorization", "Bearer " + config.bearerToken().reveal());
        }
        return http.post(config.url().uri(), headers, body, Duration.ofMillis(config.timeoutMs()), at,
                (status, text, atMs) -> NotifyResult.delivered(status, atMs));
    }

    @Override
    public String toString() {
        return name + " " + config;
    }
}
