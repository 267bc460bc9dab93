package dev.modelwatch.server.alert.notify.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.RecordingServer;
import dev.modelwatch.server.alert.notify.Samples;
import dev.modelwatch.server.alert.notify.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The webhook integration against a local HTTP receiver: the body is Alertmanager's webhook payload
 * version 4 (compared with a sample written from Alertmanager's documentation, fingerprints computed
 * independently with FNV-1a in Python), {@code send_resolved} and {@code max_alerts} behave as in
 * Alertmanager, and answers are classified.
 */
class WebhookNotifierTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(Samples.T0 + 181_000), ZoneOffset.UTC);

    /**
     * Alertmanager documents the payload as
     * {@code {"version": "4", "groupKey": <string>, "truncatedAlerts": <int>, "status": "<resolved|firing>",
     * "receiver": <string>, "groupLabels": <object>, "commonLabels": <object>, "commonAnnotations": <object>,
     * "externalURL": <string>, "alerts": [{"status": "<resolved|firing>", "labels": <object>,
     * "annotations": <object>, "startsAt": "<rfc3339>", "endsAt": "<rfc3339>", "generatorURL": <string>,
     * "fingerprint": <string>}, ...]}}; this is that shape filled in by hand for the sample group (its
     * {@code generatorURL}s are the dashboard's links, {@code AlertLinks}).
     */
    static final String ALERTMANAGER_SAMPLE = String.join("\n",
            "{",
            "  \"version\": \"4\",",
            "  \"groupKey\": \"root:{alertname=\\\"AccuracyDrop\\\", model=\\\"fraud\\\"}\",",
            "  \"truncatedAlerts\": 0,",
            "  \"status\": \"firing\",",
            "  \"receiver\": \"ops\",",
            "  \"groupLabels\": {\"alertname\": \"AccuracyDrop\", \"model\": \"fraud\"},",
            "  \"commonLabels\": {\"alertname\": \"AccuracyDrop\", \"model\": \"fraud\", \"severity\": \"critical\"},",
            "  \"commonAnnotations\": {},",
            "  \"externalURL\": \"https://mw.example.com\",",
            "  \"alerts\": [",
            "    {\"status\": \"firing\",",
            "     \"labels\": {\"alertname\": \"AccuracyDrop\", \"model\": \"fraud\", \"severity\": \"critical\", \"version\": \"v3\"},",
            "     \"annotations\": {\"summary\": \"accuracy of fraud is 0.712\"},",
            "     \"startsAt\": \"2026-11-22T10:00:00Z\", \"endsAt\": \"0001-01-01T00:00:00Z\",",
            "     \"generatorURL\": \"https://mw.example.com/ui/models/fraud?range=custom&from=1795338000000&version=v3&alert=f51063b11cf05ed2\",",
            "     \"fingerprint\": \"f51063b11cf05ed2\"},",
            "    {\"status\": \"firing\",",
            "     \"labels\": {\"alertname\": \"AccuracyDrop\", \"model\": \"fraud\", \"severity\": \"critical\", \"version\": \"v4\"},",
            "     \"annotations\": {\"summary\": \"accuracy of fraud is 0.655\"},",
            "     \"startsAt\": \"2026-11-22T10:01:30.5Z\", \"endsAt\": \"0001-01-01T00:00:00Z\",",
            "     \"generatorURL\": \"https://mw.example.com/ui/models/fraud?range=custom&from=1795338090500&version=v4&alert=f51263b11cf0e1a9\",",
            "     \"fingerprint\": \"f51263b11cf0e1a9\"},",
            "    {\"status\": \"resolved\",",
            "     \"labels\": {\"alertname\": \"AccuracyDrop\", \"model\": \"fraud\", \"severity\": \"critical\", \"version\": \"v2\"},",
            "     \"annotations\": {\"summary\": \"accuracy of fraud is 0.790\"},",
            "     \"startsAt\": \"2026-11-22T09:00:00Z\", \"endsAt\": \"2026-11-22T10:02:00Z\",",
            "     \"generatorURL\": \"https://mw.example.com/ui/models/fraud?range=custom&from=1795334400000&to=1795345320000&version=v2&alert=f50c63b11cec75fb\",",
            "     \"fingerprint\": \"f50c63b11cec75fb\"}",
            "  ]",
            "}");

    static WebhookNotifier notifier(URI uri, boolean sendResolved, int maxAlerts, Secret token, long timeoutMs) {
        return new WebhookNotifier("webhook[0]", new WebhookConfig(EndpointUrl.of(uri, false), sendResolved, maxAlerts,
                token, timeoutMs), HTTP, CLOCK, "https://mw.example.com");
    }

    @Test
    void payloadIsAlertmanagersWebhookVersion4FieldByField() throws IOException {
        try (RecordingServer server = RecordingServer.start()) {
            NotifyResult r = notifier(server.uri("/hook"), true, 0, null, 5_000).send(Samples.notification("ops"));

            assertThat(r.delivered()).isTrue();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.atMs()).isEqualTo(CLOCK.millis());
            RecordingServer.Request req = server.only();
            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.path()).isEqualTo("/hook");
            assertThat(req.header("Content-Type")).startsWith("application/json");
            assertThat(req.header("Authorization")).isNull();
            JsonNode actual = JSON.readTree(req.body());
            // the one field added to version 4: the stable id, also the Idempotency-Key header
            String key = Samples.notification("ops").idempotencyKey();
            assertThat(key).matches("[0-9a-f]{32}");
            assertThat(req.header("Idempotency-Key")).isEqualTo(key);
            assertThat(((com.fasterxml.jackson.databind.node.ObjectNode) actual).remove("idempotencyKey").asText())
                    .isEqualTo(key);
            JsonNode expected = JSON.readTree(ALERTMANAGER_SAMPLE);
            assertThat(fieldNames(actual)).containsExactlyElementsOf(fieldNames(expected));
            for (String field : fieldNames(expected)) {
                assertThat(actual.get(field)).as(field).isEqualTo(expected.get(field));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(fieldNames(actual.get("alerts").get(i)))
                        .containsExactly("status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint");
            }
            assertThat(actual.get("truncatedAlerts").isIntegralNumber()).isTrue();
        }
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }

    @Test
    void withoutSendResolvedTheResolvedAlertIsLeftOutAndAnAllResolvedGroupSendsNothing() throws IOException {
        try (RecordingServer server = RecordingServer.start()) {
            WebhookNotifier n = notifier(server.uri("/hook"), false, 0, null, 5_000);
            assertThat(n.send(Samples.notification("ops")).delivered()).isTrue();
            JsonNode body = JSON.readTree(server.only().body());
            assertThat(body.get("alerts")).hasSize(2);
            assertThat(body.get("status").asText()).isEqualTo("firing");

            NotifyResult nothing = n.send(Samples.resolvedOnly("ops"));
            assertThat(nothing.delivered()).isTrue();
            assertThat(nothing.statusCode()).isEqualTo(-1);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void allResolvedGroupIsSentAsResolvedWhenSendResolvedIsOn() throws IOException {
        try (RecordingServer server = RecordingServer.start()) {
            notifier(server.uri("/hook"), true, 0, null, 5_000).send(Samples.resolvedOnly("ops"));
            JsonNode body = JSON.readTree(server.only().body());
            assertThat(body.get("status").asText()).isEqualTo("resolved");
            assertThat(body.get("alerts").get(0).get("endsAt").asText()).isEqualTo("2026-11-22T10:02:00Z");
        }
    }

    @Test
    void maxAlertsTruncatesAndCountsTheRestAsAlertmanagerDoes() throws IOException {
        try (RecordingServer server = RecordingServer.start()) {
            notifier(server.uri("/hook"), true, 1, null, 5_000).send(Samples.notification("ops"));
            JsonNode body = JSON.readTree(server.only().body());
            assertThat(body.get("truncatedAlerts").asInt()).isEqualTo(2);
            assertThat(body.get("alerts")).hasSize(1);
            assertThat(body.get("alerts").get(0).get("labels").get("version").asText()).isEqualTo("v3");
            // computed over what is sent, as Alertmanager (which truncates before building the data)
            assertThat(body.get("commonLabels").get("version").asText()).isEqualTo("v3");
            assertThat(body.get("commonAnnotations").get("summary").asText()).isEqualTo("accuracy of fraud is 0.712");
        }
    }

    @Test
    void bearerTokenIsSentButNeverShown() {
        Secret token = Secret.of("HOOK_TOKEN", "tok-SuperSecret-42");
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(500, "internal error: bad token tok-SuperSecret-42");
            WebhookNotifier n = notifier(server.uri("/hook"), true, 0, token, 5_000);
            NotifyResult r = n.send(Samples.notification("ops"));
            assertThat(server.only().header("Authorization")).isEqualTo("Bearer tok-SuperSecret-42");
            assertThat(r.delivered()).isFalse();
            assertThat(r.retryable()).isTrue();
            assertThat(r.error()).startsWith("HTTP 500: internal error: bad token <secret>").doesNotContain("SuperSecret");
            assertThat(n.toString()).doesNotContain("SuperSecret").contains("<secret>");
        }
    }

    @Test
    void aUrlFromTheEnvironmentNeverAppearsInErrors() {
        try (RecordingServer server = RecordingServer.start()) {
            URI secretUrl = server.uri("/hook?token=abcdefghijklmnop");
            server.respond(400, "no such hook: /hook?token=abcdefghijklmnop");
            WebhookNotifier n = new WebhookNotifier("webhook[0]", new WebhookConfig(EndpointUrl.of(secretUrl, true), true, 0,
                    null, 5_000), HTTP, CLOCK, "");
            NotifyResult r = n.send(Samples.notification("ops"));
            assertThat(r.retryable()).isFalse();
            assertThat(r.error()).doesNotContain("abcdefghijklmnop");
            assertThat(n.toString()).doesNotContain("abcdefghijklmnop");
        }
    }

    @ParameterizedTest(name = "HTTP {0}: delivered={1} retryable={2}")
    @CsvSource({"200, true, false", "204, true, false", "302, false, false", "400, false, false", "401, false, false",
        "404, false, false", "408, false, true", "429, false, true", "500, false, true", "503, false, true"})
    void answersAreClassifiedByStatus(int status, boolean delivered, boolean retryable) {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(status, status >= 300 ? "nope" : "", "Location", "http://elsewhere/");
            NotifyResult r = notifier(server.uri("/hook"), true, 0, null, 5_000).send(Samples.notification("ops"));
            assertThat(r.delivered()).isEqualTo(delivered);
            assertThat(r.retryable()).isEqualTo(retryable);
            assertThat(r.statusCode()).isEqualTo(status);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void tooManyRequestsCarriesRetryAfter() {
        try (RecordingServer server = RecordingServer.start()) {
            server.respond(429, "slow down", "Retry-After", "7");
            NotifyResult r = notifier(server.uri("/hook"), true, 0, null, 5_000).send(Samples.notification("ops"));
            assertThat(r.retryable()).isTrue();
            assertThat(r.retryAfterMs()).isEqualTo(7_000L);
            assertThat(r.error()).isEqualTo("HTTP 429: slow down");
        }
    }

    @Test
    void aReceiverThatNeverAnswersTimesOutAndIsRetryable() {
        try (RecordingServer server = RecordingServer.start().hang()) {
            NotifyResult r = notifier(server.uri("/hook"), true, 0, null, 300).send(Samples.notification("ops"));
            assertThat(r.delivered()).isFalse();
            assertThat(r.retryable()).isTrue();
            assertThat(r.statusCode()).isEqualTo(-1);
            assertThat(r.error()).contains("timed out");
        }
    }

    @Test
    void aClosedPortIsARetryableConnectionFailure() {
        URI closed;
        try (RecordingServer server = RecordingServer.start()) {
            closed = server.uri("/hook");
        }
        NotifyResult r = notifier(closed, true, 0, null, 5_000).send(Samples.notification("ops"));
        assertThat(r.delivered()).isFalse();
        assertThat(r.retryable()).isTrue();
        assertThat(r.statusCode()).isEqualTo(-1);
    }
}
