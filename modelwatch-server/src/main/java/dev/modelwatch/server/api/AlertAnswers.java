package dev.modelwatch.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.AlertView;
import dev.modelwatch.server.alert.delivery.OutboxPayload;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.alert.silence.SilenceCounts;
import dev.modelwatch.server.alert.silence.Silencer;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.AlertHistoryEntry;
import dev.modelwatch.store.OutboxEntry;
import dev.modelwatch.store.Store;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The answers of the alert routes, read from the alert runtime's published state and storage. */
final class AlertAnswers {
    private static final ObjectMapper JSON = Json.MAPPER;

    /** An alert as {@code GET /api/v1/alerts} shows it; {@code deliveries} and {@code history} only for one alert. */
    record AlertAnswer(String id, String rule, Map<String, String> labels, Map<String, String> annotations,
                       String severity, String state, Double value, String startedAt, String firedAt,
                       String resolvedAt, boolean flapping, String acknowledgedBy,
                       @JsonInclude(JsonInclude.Include.NON_NULL) AcknowledgementAnswer acknowledgement,
                       List<String> silencedBy,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<DeliveryAnswer> deliveries,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<HistoryAnswer> history) {
        AlertAnswer withLog(List<DeliveryAnswer> d, List<HistoryAnswer> h) {
            return new AlertAnswer(id, rule, labels, annotations, severity, state, value, startedAt, firedAt,
                    resolvedAt, flapping, acknowledgedBy, acknowledgement, silencedBy, d, h);
        }
    }

    /** Who acknowledged an alert, why, and when (epoch milliseconds). */
    record AcknowledgementAnswer(String by, String comment, long at) {
    }

    /** One notification of an alert to one receiver integration. */
    record DeliveryAnswer(String receiver, String integration, String status, int attempts, String createdAt,
                          String deliveredAt, String nextAttemptAt, String lastError) {
    }

    /** One change of an alert's state; {@code labels} as stored (a map, or the raw text when it cannot be read). */
    record HistoryAnswer(String id, String rule, Object labels, String from, String to, Double value, String at) {
    }

    /** A silence with its state and how many alerts it suppressed. */
    record SilenceAnswer(String id, List<String> matchers, String startsAt, String endsAt, String createdBy,
                         String comment, String state, int suppressedAlerts) {
    }

    /** A loaded rule and its last evaluation; durations in seconds. */
    record RuleAnswer(String name, String expr, @JsonProperty("for") double forSeconds, double keepFiringFor,
                      String severity, String lastEvaluation, String lastError, Map<String, Integer> alerts) {
    }

    /** {@code GET /api/v1/alerts}: a page of alerts in rule, then id order. */
    record AlertList(List<AlertAnswer> alerts, String nextCursor) {
    }

    record HistoryList(List<HistoryAnswer> history) {
    }

    record SilenceList(List<SilenceAnswer> silences) {
    }

    record RuleList(List<RuleAnswer> rules) {
    }

    private final AlertRuntime alerts;
    private final Store store;
    private final Clock clock;

    AlertAnswers(AlertRuntime alerts, Store store, Clock clock) {
        this.alerts = alerts;
        this.store = store;
        this.clock = clock;
    }

    /** A page of alerts as {@link AlertRuntime#alerts(String, String, dev.modelwatch.server.alert.AlertView.Position, int)} reads it. */
    AlertList page(String state, String model, AlertView.Position after, int limit) {
        AlertView.Page p = alerts.alerts(state, model, after, limit);
        Silencer silencer = silencerNow();
        return new AlertList(p.alerts().stream().map(e -> alert(e.rule(), e.alert(), silencer)).toList(),
                p.last() == null ? null : PageRequest.cursor(p.last().rule(), p.last().id()));
    }

    /** One alert with its deliveries and history, or empty. */
    Optional<AlertAnswer> one(String id) {
        return alerts.view().find(id).map(e -> alert(e.rule(), e.alert(), silencerNow())
                .withLog(deliveries(id), history(id, 0, 200)));
    }

    /** An alert just changed (acknowledged), without its log. */
    Optional<AlertAnswer> plain(String id) {
        return alerts.view().find(id).map(e -> alert(e.rule(), e.alert(), silencerNow()));
    }

    private Silencer silencerNow() {
        long now = clock.millis();
        return Silencer.of(alerts.silences().stream().filter(s -> s.endsAtMs() > now).toList());
    }

    private AlertAnswer alert(String rule, AlertInstance a, Silencer silencer) {
        return new AlertAnswer(a.id(), rule, a.labels().asMap(), a.annotations(), a.severity(),
                a.state().name().toLowerCase(Locale.ROOT), Double.isFinite(a.value()) ? a.value() : null,
                Times.formatOrNull(a.activeAtMs()), Times.formatOrNull(a.firedAtMs()), Times.formatOrNull(a.resolvedAtMs()),
                a.flapping(), a.acknowledgement() == null ? null : a.acknowledgement().by(),
                a.acknowledgement() == null ? null : new AcknowledgementAnswer(a.acknowledgement().by(),
                        a.acknowledgement().comment(), a.acknowledgement().atMs()),
                silencer.mutingSilences(a.labels(), clock.millis()).stream().map(Silence::id).toList(), null, null);
    }

    private List<DeliveryAnswer> deliveries(String alertId) {
        List<DeliveryAnswer> out = new ArrayList<>();
        for (OutboxEntry e : store.recentNotifications(1_000)) {
            if (!List.of(e.alertIds().split(",")).contains(alertId)) {
                continue;
            }
            out.add(new DeliveryAnswer(e.receiver(), integrationName(e), e.status(), e.attempts(),
                    Times.format(e.createdAtMs()), Times.formatOrNull(e.deliveredAtMs()),
                    OutboxEntry.PENDING.equals(e.status()) ? Times.format(e.dueAtMs()) : null, e.lastError()));
        }
        return out;
    }

    /** The name of the integration an outbox row is for ({@code webhook[0]}), null when it cannot be told. */
    private String integrationName(OutboxEntry e) {
        try {
            int index = OutboxPayload.decode(e.payload()).integration();
            List<dev.modelwatch.server.alert.notify.Notifier> integrations = alerts.config().receivers().getOrDefault(e.receiver(), List.of());
            return index < integrations.size() ? integrations.get(index).name() : null;
        } catch (IllegalArgumentException ex) {
            return null;
        }
    }

    /** State changes since {@code sinceMs}, of one alert or (with {@code alertId} null) of all, newest first. */
    List<HistoryAnswer> history(String alertId, long sinceMs, int limit) {
        List<HistoryAnswer> out = new ArrayList<>();
        for (AlertHistoryEntry h : store.alertHistory(alertId, sinceMs, limit)) {
            Object labels;
            try {
                labels = JSON.readValue(h.labels(), new TypeReference<Map<String, Object>>() {
                });
            } catch (IOException e) {
                labels = h.labels();
            }
            out.add(new HistoryAnswer(h.alertId(), h.rule(), labels, h.fromState(), h.toState(),
                    Double.isFinite(h.value()) ? h.value() : null, Times.format(h.atMs())));
        }
        return out;
    }

    /** Every silence with its state and how many alerts it suppressed. */
    List<SilenceAnswer> silences() {
        long now = clock.millis();
        SilenceCounts counts = alerts.silenceCounts();
        return alerts.silences().stream().map(s -> silence(s, counts, now)).toList();
    }

    SilenceAnswer silence(Silence s) {
        return silence(s, alerts.silenceCounts(), clock.millis());
    }

    private static SilenceAnswer silence(Silence s, SilenceCounts counts, long now) {
        return new SilenceAnswer(s.id(),
                s.matchers().stream().map(m -> m.name() + m.type().symbol() + "\"" + m.value() + "\"").toList(),
                Times.format(s.startsAtMs()), Times.format(s.endsAtMs()), s.createdBy(), s.comment(),
                s.state(now).name().toLowerCase(Locale.ROOT), counts.count(s.id()));
    }

    /** The loaded rules and their last evaluation. */
    List<RuleAnswer> rules() {
        Map<String, RuleState> states = alerts.ruleStates();
        List<RuleAnswer> out = new ArrayList<>();
        for (AlertRule r : alerts.config().rules()) {
            RuleState s = states.get(r.name());
            Map<String, Integer> byState = new TreeMap<>();
            if (s != null) {
                s.instances().values().forEach(a -> byState.merge(a.state().name().toLowerCase(Locale.ROOT), 1,
                        Integer::sum));
            }
            out.add(new RuleAnswer(r.name(), r.expr().text(), r.forMs() / 1000.0, r.keepFiringForMs() / 1000.0,
                    r.severity(), s == null ? null : Times.formatOrNull(s.lastEvaluationMs()),
                    s == null ? null : s.lastError(), byState));
        }
        return out;
    }
}
