package dev.modelwatch.server.alert.notify;

import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.template.TemplateData;
import dev.modelwatch.server.json.Json;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A notifier that posts one JSON message to a chat robot's webhook (Slack, WeCom, DingTalk,
 * Feishu): the alerts a notification should show become {@link TemplateData}, a subclass turns
 * them into the service's message body, and the service's answer into a {@link NotifyResult}.
 * Nothing is sent when no alert is left to show (resolved ones, with {@code send_resolved} off).
 */
public abstract class RobotNotifier implements Notifier {

    private final String name;
    private final Object config;
    private final boolean sendResolved;
    private final Duration timeout;
    private final Clock clock;
    private final String externalUrl;
    private final IncidentLinks links;
    private final HttpDelivery http;

    /**
     * @param config   the integration's settings, printed by {@link #toString()} (they redact secrets)
     * @param redactor what to strip from the answers and errors kept in the delivery log
     */
    protected RobotNotifier(String name, Object config, boolean sendResolved, long timeoutMs, Redactor redactor,
                            HttpClient client, Clock clock, String externalUrl) {
        this(name, config, sendResolved, timeoutMs, redactor, client, clock, externalUrl, IncidentLinks.NONE);
    }

    /** As the other constructor, with the incident of each alert found by {@code links} (for the message's links). */
    protected RobotNotifier(String name, Object config, boolean sendResolved, long timeoutMs, Redactor redactor,
                            HttpClient client, Clock clock, String externalUrl, IncidentLinks links) {
        this.links = links == null ? IncidentLinks.NONE : links;
        this.name = name;
        this.config = config;
        this.sendResolved = sendResolved;
        this.timeout = Duration.ofMillis(timeoutMs);
        this.clock = clock;
        this.externalUrl = externalUrl == null ? "" : externalUrl;
        this.http = new HttpDelivery(client, redactor);
    }

    /** {@code redactor} that also strips {@code secret}, when there is one. */
    protected static Redactor withSecret(Redactor redactor, Secret secret) {
        return secret == null ? redactor : redactor.with(List.of(secret.reveal()));
    }

    /** The message body for {@code data}, sent at {@code atMs}. */
    protected abstract RobotMessage body(TemplateData data, long atMs);

    /** Where the message sent at {@code atMs} goes. */
    protected abstract URI uri(long atMs);

    /** What a 2xx answer of the service says. */
    protected abstract NotifyResult reply(int status, String body, long atMs);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean sendResolved() {
        return sendResolved;
    }

    @Override
    public final NotifyResult send(Notification n) {
        long at = clock.millis();
        TemplateData data = TemplateData.of(n, sendResolved, externalUrl, links);
        if (data.alerts().isEmpty()) {
            return NotifyResult.nothingToSend(at);
        }
        byte[] bytes;
        try {
            bytes = Json.bytes(body(data, at));
        } catch (UncheckedIOException e) {
            return NotifyResult.failed(false, -1, "cannot write the message: " + e.getCause().getMessage(), at);
        }
        return http.post(uri(at), Map.of(), bytes, timeout, at, this::reply);
    }

    @Override
    public String toString() {
        return name + " " + config;
    }
}
