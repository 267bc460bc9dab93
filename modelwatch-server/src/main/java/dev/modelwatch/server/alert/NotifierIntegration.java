package dev.modelwatch.server.alert;

import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.receiver.Notifiers;
import dev.modelwatch.server.alert.notify.receiver.ReceiverConfig;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A configured notifier (webhook, e-mail, DingTalk, ...) as one of the runtime's receiver integrations. */
public final class NotifierIntegration implements AlertRuntime.Integration {
    private final Notifier notifier;
    private final boolean sendResolved;

    NotifierIntegration(Notifier notifier, boolean sendResolved) {
        this.notifier = notifier;
        this.sendResolved = sendResolved;
    }

    /** The integrations of a receiver, in the order of its configuration. */
    public static List<AlertRuntime.Integration> of(ReceiverConfig receiver, HttpClient http, Clock clock) {
        List<Notifier> notifiers = Notifiers.forReceiver(receiver, http, clock);
        // Notifiers.forReceiver lists them kind by kind, in the order of ReceiverConfig's lists
        List<IntegrationConfig> configs = new ArrayList<>();
        configs.addAll(receiver.webhookConfigs());
        configs.addAll(receiver.emailConfigs());
        configs.addAll(receiver.dingtalkConfigs());
        configs.addAll(receiver.wecomConfigs());
        configs.addAll(receiver.feishuConfigs());
        configs.addAll(receiver.slackConfigs());
        List<AlertRuntime.Integration> out = new ArrayList<>();
        for (int i = 0; i < notifiers.size(); i++) {
            out.add(new NotifierIntegration(notifiers.get(i), configs.get(i).sendResolved()));
        }
        return out;
    }

    /** The HTTP client the integrations share. */
    public static HttpClient httpClient() {
        return Notifiers.httpClient(Duration.ofSeconds(5));
    }

    @Override
    public String kind() {
        return notifier.name();
    }

    @Override
    public boolean sendResolved() {
        return sendResolved;
    }

    @Override
    public AlertRuntime.DeliveryResult send(Notification n) {
        NotifyResult r = notifier.send(n);
        if (r.delivered()) {
            return AlertRuntime.DeliveryResult.ok();
        }
        String error = r.statusCode() > 0 ? "HTTP " + r.statusCode() + ": " + r.error() : r.error();
        return new AlertRuntime.DeliveryResult(false, r.retryable(), error,
                r.retryAfterMs() == null ? 0 : r.retryAfterMs());
    }
}
