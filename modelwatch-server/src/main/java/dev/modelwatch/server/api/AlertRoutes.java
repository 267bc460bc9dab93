package dev.modelwatch.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.alert.AlertView;
import dev.modelwatch.server.alert.dispatch.MatcherParser;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.store.Store;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The alerts (list, one, acknowledge, history), the silences and the rules. */
final class AlertRoutes {
    private static final Set<String> STATES = Set.of("inactive", "pending", "firing", "resolved", "no_data", "error");

    private final AlertRuntime alerts;
    private final AlertAnswers answers;
    private final Clock clock;

    AlertRoutes(AlertRuntime alerts, Store store, Clock clock) {
        this.alerts = alerts;
        this.answers = new AlertAnswers(alerts, store, clock);
        this.clock = clock;
    }

    void register(Router r) {
        r.get("/api/v1/alerts", Access.READ, this::list);
        r.get("/api/v1/alert-history", Access.READ, ctx -> {
            long since = ctx.queryParam("since") == null ? clock.millis() - 86_400_000L
                    : RequestParams.time("since", ctx.queryParam("since"));
            Answers.send(ctx, 200, new AlertAnswers.HistoryList(answers.history(ctx.queryParam("alert"), since, 1_000)));
        });
        r.get("/api/v1/alerts/{id}", Access.READ, ctx -> Answers.send(ctx, 200,
                answers.one(RequestParams.alertId(ctx)).orElseThrow(() -> noAlert(ctx))));
        r.post("/api/v1/alerts/{id}/ack", Access.ADMIN, this::acknowledge);
        r.get("/api/v1/silences", Access.READ, ctx -> Answers.send(ctx, 200,
                new AlertAnswers.SilenceList(answers.silences())));
        r.post("/api/v1/silences", Access.ADMIN, this::addSilence);
        r.delete("/api/v1/silences/{id}", Access.ADMIN, ctx -> {
            if (!alerts.expireSilence(ctx.pathParam("id"))) {
                throw new ApiException(404, "no silence with id '" + ctx.pathParam("id") + "'");
            }
            ctx.status(204);
        });
        r.get("/api/v1/rules", Access.READ, ctx -> Answers.send(ctx, 200, new AlertAnswers.RuleList(answers.rules())));
    }

    private static ApiException noAlert(Context ctx) {
        return new ApiException(404, "no alert with id '" + ctx.pathParam("id") + "'");
    }

    private void list(Context ctx) {
        String state = ctx.queryParam("state");
        if (state != null && !STATES.contains(state)) {
            throw new ApiException(400, "state: must be pending, firing, resolved, no_data or error");
        }
        PageRequest page = PageRequest.of(ctx, 2);
        AlertView.Position after = page.after() == null ? null
                : new AlertView.Position(page.after().get(0), page.after().get(1));
        Answers.send(ctx, 200, answers.page(state, ctx.queryParam("model"), after, page.limit()));
    }

    private void acknowledge(Context ctx) throws IOException {
        JsonNode body = Bodies.jsonObject(ctx);
        String by = body.path("by").asText("");
        if (by.isBlank() || by.length() > 128) {
            throw new ApiException(400, "by: required, who acknowledges (1 to 128 characters)");
        }
        String comment = body.path("comment").isMissingNode() || body.path("comment").isNull() ? null
                : body.path("comment").asText();
        if (comment != null && comment.length() > 4096) {
            throw new ApiException(400, "comment: at most 4096 characters");
        }
        String id = RequestParams.alertId(ctx);
        if (!alerts.acknowledge(id, by, comment)) {
            throw noAlert(ctx);
        }
        Answers.send(ctx, 200, answers.plain(id).orElseThrow(() -> noAlert(ctx)));
    }

    private void addSilence(Context ctx) throws IOException {
        JsonNode body = Bodies.jsonObject(ctx);
        List<String> problems = new ArrayList<>();
        List<LabelMatcher> matchers = new ArrayList<>();
        JsonNode m = body.path("matchers");
        if (!m.isArray() || m.isEmpty()) {
            problems.add("matchers: required, a list like [\"model=\\\"fraud\\\"\", \"severity=~\\\"critical|page\\\"\"]");
        } else {
            for (int i = 0; i < m.size(); i++) {
                try {
                    matchers.add(MatcherParser.parse(m.get(i).asText()));
                } catch (IllegalArgumentException e) {
                    problems.add("matchers[" + i + "]: " + e.getMessage());
                }
            }
        }
        long starts = clock.millis();
        long ends = 0;
        try {
            if (body.hasNonNull("starts_at")) {
                starts = RequestParams.time("starts_at", body.get("starts_at").asText());
            }
            if (body.hasNonNull("ends_at")) {
                ends = RequestParams.time("ends_at", body.get("ends_at").asText());
            } else if (body.hasNonNull("duration")) {
                ends = starts + ModelRoutes.durationMillis(body.get("duration").asText());
            } else {
                problems.add("ends_at: required (or duration, e.g. \"2h\")");
            }
        } catch (ApiException | IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        String by = body.path("created_by").asText("");
        if (!problems.isEmpty()) {
            throw new ApiException(400, String.join("; ", problems));
        }
        Silence added;
        try {
            added = alerts.addSilence(matchers, starts, ends, by,
                    body.path("comment").isMissingNode() ? null : body.path("comment").asText());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        Answers.send(ctx, 200, answers.silence(added));
    }
}
