package dev.modelwatch.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.diagnosis.CauseKind;
import dev.modelwatch.server.incident.ActionConfig;
import dev.modelwatch.server.incident.Incident;
import dev.modelwatch.server.incident.IncidentState;
import dev.modelwatch.server.incident.Incidents;
import dev.modelwatch.server.incident.StoredDiagnosis;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.time.Times;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/incidents[?model=][&state=open|resolved][&limit=]}, {@code GET /api/v1/incidents/{id}},
 * {@code POST /api/v1/incidents/{id}/notes} {@code {"by", "text"[, "owner"]}},
 * {@code POST /api/v1/incidents/{id}/owner} {@code {"owner", "by"}} and
 * {@code POST /api/v1/incidents/{id}/actions} {@code {"action", "by", "dry_run"}} (API.md, docs/incidents.md).
 */
public final class IncidentRoutes implements RouteSet {
    /** The most a change's body may have. */
    static final int MAX_BODY_BYTES = 1 << 16;
    static final int MAX_TEXT = 10_000;
    static final int MAX_NAME = 128;

    private final Incidents incidents;

    public IncidentRoutes(Incidents incidents) {
        this.incidents = incidents;
    }

    /**
     * An incident as the API answers it; {@code causes} ranked best first (API.md), found over
     * {@code [diagnosis_from, diagnosis_to)} at {@code diagnosed_at}.
     */
    public record IncidentAnswer(String id, String model, String state, String openedAt, String resolvedAt,
                                 String updatedAt, String owner, String severity, String url, List<AlertAnswer> alerts,
                                 JsonNode causes, String diagnosedAt, String diagnosisFrom, String diagnosisTo,
                                 List<TimelineAnswer> timeline,
                                 List<ActionAnswer> actions) {
    }

    /** An alert of an incident. */
    public record AlertAnswer(String id, String rule, Map<String, String> labels, String severity, String state,
                              String startedAt, String resolvedAt) {
    }

    /** A line of the timeline. */
    public record TimelineAnswer(String at, String kind, String text, String alert, String by, String action,
                                 String outcome, Boolean dryRun) {
    }

    /** An action that can be run for the incident, with its guard rails. */
    public record ActionAnswer(String name, String hook, String target, AutoAnswer automatic, boolean dryRun,
                               double cooldownSeconds, int maxPerDay) {
    }

    /** When an action runs by itself. */
    public record AutoAnswer(List<String> causes, List<String> severities, double minScore) {
    }

    /** {@code GET /api/v1/incidents}: newest first. */
    public record IncidentList(List<IncidentAnswer> incidents) {
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.get("/api/v1/incidents", this::list, Access.READ);
        config.routes.get("/api/v1/incidents/{id}", ctx -> send(ctx, 200, answer(one(ctx))), Access.READ);
        config.routes.post("/api/v1/incidents/{id}/notes", this::note, Access.ADMIN);
        config.routes.post("/api/v1/incidents/{id}/owner", this::owner, Access.ADMIN);
        config.routes.post("/api/v1/incidents/{id}/actions", this::action, Access.ADMIN);
    }

    private void list(Context ctx) {
        String state = ctx.queryParam("state");
        IncidentState s = null;
        if (state != null) {
            try {
                s = IncidentState.ofWireName(state);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "state: must be open or resolved, was '" + abbreviate(state) + "'");
            }
        }
        int limit = 100;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) {
                throw new ApiException(400, "limit: must be a whole number from 1 to 1000, was '" + abbreviate(l) + "'");
            }
        }
        List<IncidentAnswer> out = incidents.list(ctx.queryParam("model"), s).stream().limit(limit).map(this::answer)
                .toList();
        send(ctx, 200, new IncidentList(out));
    }

    private Incident one(Context ctx) {
        String id = incidentId(ctx);
        return incidents.get(id).orElseThrow(() -> noIncident(id));
    }

    private static String incidentId(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches("[0-9]{1,19}")) {
            throw new ApiException(400, "id: '" + abbreviate(id) + "' is not an incident id (a whole number)");
        }
        return id;
    }

    private static ApiException noIncident(String id) {
        return new ApiException(404, "no incident with id '" + id + "'");
    }

    private void note(Context ctx) throws IOException {
        String id = incidentId(ctx);
        JsonNode body = body(ctx);
        String by = name(body, "by", "who writes the note");
        String text = text(body, "text", MAX_TEXT, true);
        String owner = body.hasNonNull("owner") ? name(body, "owner", "who owns the incident from now on") : null;
        send(ctx, 200, answer(incidents.addNote(id, by, text, owner).orElseThrow(() -> noIncident(id))));
    }

    private void owner(Context ctx) throws IOException {
        String id = incidentId(ctx);
        JsonNode body = body(ctx);
        String owner = name(body, "owner", "who owns the incident from now on");
        String by = name(body, "by", "who names the owner");
        send(ctx, 200, answer(incidents.setOwner(id, owner, by).orElseThrow(() -> noIncident(id))));
    }

    private void action(Context ctx) throws IOException {
        String id = incidentId(ctx);
        JsonNode body = body(ctx);
        String action = name(body, "action", "the name of the action to run");
        String by = name(body, "by", "who runs the action");
        JsonNode dry = body.get("dry_run");
        if (dry != null && !dry.isNull() && !dry.isBoolean()) {
            throw new ApiException(400, "dry_run: must be true or false");
        }
        boolean dryRun = dry != null && dry.asBoolean(false);
        Incident after;
        try {
            after = incidents.runAction(id, action, by, dryRun).orElseThrow(() -> noIncident(id));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        send(ctx, 202, answer(after));
    }

    private static JsonNode body(Context ctx) throws IOException {
        byte[] bytes;
        try (InputStream in = ctx.bodyInputStream()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "body is over the limit of " + MAX_BODY_BYTES + " bytes");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new ApiException(400, "the body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    private static String name(JsonNode body, String field, String what) {
        String v = text(body, field, MAX_NAME, true);
        return v;
    }

    private static String text(JsonNode body, String field, int max, boolean required) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            if (required) {
                throw new ApiException(400, field + ": required, 1 to " + max + " characters");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new ApiException(400, field + ": must be a string");
        }
        if (n.asText().length() > max) {
            throw new ApiException(400, field + ": at most " + max + " characters");
        }
        return n.asText();
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    IncidentAnswer answer(Incident i) {
        List<AlertAnswer> alerts = i.alerts().stream().map(a -> new AlertAnswer(a.id(), a.rule(), a.labels(), a.severity(),
                a.firing() ? "firing" : "resolved", Times.format(a.startedAtMs()), Times.formatOrNull(a.resolvedAtMs())))
                .toList();
        List<TimelineAnswer> timeline = i.timeline().stream().map(e -> new TimelineAnswer(Times.format(e.atMs()),
                e.kind().wireName(), e.text(), e.alert(), e.by(), e.action(), e.outcome(), e.dryRun())).toList();
        List<ActionAnswer> actions = incidents.config().actionsOf(i.model()).stream().map(IncidentRoutes::action)
                .toList();
        StoredDiagnosis d = i.diagnosis();
        return new IncidentAnswer(i.id(), i.model(), i.state().wireName(), Times.format(i.openedAtMs()),
                Times.formatOrNull(i.resolvedAtMs()), Times.format(i.updatedAtMs()), i.owner(), i.severity(),
                incidents.url(i.id()), alerts, d == null ? Json.MAPPER.createArrayNode() : d.causes(),
                d == null ? null : Times.format(d.computedAtMs()), d == null ? null : Times.format(d.fromMs()),
                d == null ? null : Times.format(d.toMs()), timeline, actions);
    }

    private static ActionAnswer action(ActionConfig a) {
        AutoAnswer auto = a.auto() == null ? null : new AutoAnswer(a.auto().causes().stream().map(CauseKind::wireName)
                .sorted().toList(), a.auto().severities().stream().sorted().toList(), a.auto().minScore());
        return new ActionAnswer(a.name(), a.hook() instanceof ActionConfig.WebhookHook ? "webhook" : "command",
                a.hook().describe(), auto, a.dryRun(), a.cooldown().toMillis() / 1000.0, a.maxPerDay());
    }

    private static void send(Context ctx, int status, Object body) {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(Json.bytes(body));
    }
}
