package dev.modelwatch.server.alert.notify.receiver;

import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.dingtalk.DingTalkNotifier;
import dev.modelwatch.server.alert.notify.email.EmailNotifier;
import dev.modelwatch.server.alert.notify.feishu.FeishuNotifier;
import dev.modelwatch.server.alert.notify.slack.SlackNotifier;
import dev.modelwatch.server.alert.notify.webhook.WebhookNotifier;
import dev.modelwatch.server.alert.notify.wecom.WeComNotifier;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the {@link Notifier}s of a receiver from its configuration, one per integration entry, named
 * {@code webhook[0]}, {@code email[0]}, ... in the order of {@link ReceiverConfig#integrations()}.
 *
 * <p>Usage:
 * <pre>{@code
 * HttpClient http = Notifiers.httpClient(Duration.ofSeconds(5));
 * List<Notifier> oncall = Notifiers.forReceiver(receiverConfig, http, Clock.systemUTC(), "https://mw.example.com");
 * }</pre>
 */
public final class Notifiers {
    private Notifiers() {
    }

    /** The notifiers of {@code receiver}, with no external URL. */
    public static List<Notifier> forReceiver(ReceiverConfig receiver, HttpClient http, Clock clock) {
        return forReceiver(receiver, http, clock, "");
    }

    /**
     * The notifiers of {@code receiver}.
     *
     * @param http        the client the HTTP integrations share (its connect time-out applies)
     * @param clock       the time of each attempt (signatures, e-mail date, {@link
     *                    dev.modelwatch.server.alert.notify.NotifyResult#atMs()})
     * @param externalUrl the server's URL as users reach it, for links ("" when unknown)
     */
    public static List<Notifier> forReceiver(ReceiverConfig receiver, HttpClient http, Clock clock, String externalUrl) {
        return forReceiver(receiver, http, clock, externalUrl, IncidentLinks.NONE);
    }

    /**
     * The notifiers of {@code receiver}, whose messages link each alert to its incident found by
     * {@code links}.
     */
    public static List<Notifier> forReceiver(ReceiverConfig receiver, HttpClient http, Clock clock, String externalUrl,
                                             IncidentLinks links) {
        if (receiver == null || http == null || clock == null) {
            throw new IllegalArgumentException("receiver, http and clock must not be null");
        }
        List<Notifier> out = new ArrayList<>();
        for (int i = 0; i < receiver.webhookConfigs().size(); i++) {
            out.add(new WebhookNotifier("webhook[" + i + "]", receiver.webhookConfigs().get(i), http, clock, externalUrl, links));
        }
        for (int i = 0; i < receiver.emailConfigs().size(); i++) {
            out.add(new EmailNotifier("email[" + i + "]", receiver.emailConfigs().get(i), clock, externalUrl, links));
        }
        for (int i = 0; i < receiver.dingtalkConfigs().size(); i++) {
            out.add(new DingTalkNotifier("dingtalk[" + i + "]", receiver.dingtalkConfigs().get(i), http, clock, externalUrl, links));
        }
        for (int i = 0; i < receiver.wecomConfigs().size(); i++) {
            out.add(new WeComNotifier("wecom[" + i + "]", receiver.wecomConfigs().get(i), http, clock, externalUrl, links));
        }
        for (int i = 0; i < receiver.feishuConfigs().size(); i++) {
            out.add(new FeishuNotifier("feishu[" + i + "]", receiver.feishuConfigs().get(i), http, clock, externalUrl, links));
        }
        for (int i = 0; i < receiver.slackConfigs().size(); i++) {
            out.add(new SlackNotifier("slack[" + i + "]", receiver.slackConfigs().get(i), http, clock, externalUrl, links));
        }
        return List.copyOf(out);
    }

    /** An HTTP client for the integrations: {@code connectTimeout}, redirects not followed. */
    public static HttpClient httpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }
}
