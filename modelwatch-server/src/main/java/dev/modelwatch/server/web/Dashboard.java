package dev.modelwatch.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.api.ApiException;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.server.auth.Access;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

/**
 * The web dashboard, served by the API server itself: the page at {@code /} and {@code /ui/...}
 * (one page; the browser routes), its scripts under {@code /assets/}, the chart libraries' WebJars
 * under {@code /webjars/}, and the read endpoints only the dashboard needs
 * ({@code /api/v1/dashboard/...}). Everything else it shows it reads from the public API.
 *
 * <pre>{@code
 * Javalin.create(c -> {
 *     ...
 *     new Dashboard(new DashboardSources(models, query, drift, alerts, clock, sessions, runs), background).register(c);
 * });
 * }</pre>
 */
public final class Dashboard implements dev.modelwatch.server.api.RouteSet {
    /** How often an open event stream looks for changes, and the overview's rows are brought up to date. */
    private static final long LIVE_POLL_MS = 1_000;
    /** The range of a query without {@code from}, as in the public API. */
    private static final long DEFAULT_RANGE_MS = 24 * 3_600_000L;

    private final WebAssets assets = new WebAssets();
    private final OverviewReport overview;
    private final LiveFeed live;
    private final DistributionReport distribution;
    private final java.time.Clock clock;
    private final DashboardSessions sessions;
    private final ObjectMapper json = new ObjectMapper();
    private final java.util.concurrent.ScheduledExecutorService background;

    /**
     * @param background the thread that keeps the overview's rows up to date (stopped by the caller, at
     *                   the server's close)
     */
    public Dashboard(DashboardSources sources, java.util.concurrent.ScheduledExecutorService background) {
        this.background = java.util.Objects.requireNonNull(background, "background");
        this.overview = new OverviewReport(sources);
        this.live = new LiveFeed(sources, LIVE_POLL_MS);
        this.distribution = new DistributionReport(sources);
        this.clock = sources.clock();
        this.sessions = sources.sessions();
    }

    /** Adds the dashboard's pages, assets and endpoints to a server being configured. */
    @Override
    public void register(JavalinConfig c) {
        c.routes.get("/", this::page, Access.PUBLIC);
        c.routes.get("/ui", this::page, Access.PUBLIC);
        c.routes.get("/ui/<path>", this::page, Access.PUBLIC);
        c.routes.get("/assets/<path>", ctx -> {
            WebAssets.Asset a = assets.own(ctx.pathParam("path"))
                    .orElseThrow(() -> new ApiException(404, "no such file: " + ctx.path()));
            ctx.header("Cache-Control", "no-cache");
            ctx.contentType(a.contentType()).result(a.bytes());
        }, Access.PUBLIC);
        c.routes.get("/webjars/<path>", ctx -> {
            WebAssets.Asset a = assets.webjar(ctx.pathParam("path"))
                    .orElseThrow(() -> new ApiException(404, "no such file: " + ctx.path()));
            ctx.header("Cache-Control", "public, max-age=31536000, immutable"); // the path holds the version
            ctx.contentType(a.contentType()).result(a.bytes());
        }, Access.PUBLIC);
        c.routes.get("/api/v1/dashboard/overview", ctx -> send(ctx, overview.build()), Access.READ);
        c.routes.get("/api/v1/dashboard/models/{model}/distribution", ctx -> {
            long to = ctx.queryParam("to") == null ? clock.millis() + 1 : Times.parse("to", ctx.queryParam("to"));
            long from = ctx.queryParam("from") == null ? to - DEFAULT_RANGE_MS : Times.parse("from", ctx.queryParam("from"));
            if (from >= to) {
                throw new ApiException(400, "from must be before to");
            }
            send(ctx, distribution.build(ctx.pathParam("model"), ctx.queryParam("feature"), ctx.queryParam("version"),
                    ctx.queryParam("segment"), from, to));
        }, Access.READ);
        c.routes.get("/api/v1/dashboard/session", ctx -> send(ctx, sessions.view(ctx)), Access.PUBLIC);
        c.routes.post("/api/v1/dashboard/session", this::signIn, Access.PUBLIC);
        c.routes.delete("/api/v1/dashboard/session", ctx -> {
            sessions.signOut(ctx);
            ctx.header("Set-Cookie", DashboardSessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
            ctx.status(204);
        }, Access.PUBLIC);
        io.javalin.http.sse.SseHandler stream = new io.javalin.http.sse.SseHandler(client -> {
            try {
                live.serve(client);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        c.routes.get("/api/v1/dashboard/events", ctx -> {
            // only a client that asks for a stream gets one (browsers' EventSource does); others get an answer
            String accept = ctx.header("Accept");
            if (accept == null || !accept.contains("text/event-stream")) {
                throw new ApiException(406, "this is a server-sent event stream: send 'Accept: text/event-stream'");
            }
            stream.handle(ctx);
        }, Access.READ);
        c.events.serverStopping(live::close);
        overview.keepUpdated(background, LIVE_POLL_MS);
    }

    private void signIn(Context ctx) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode body;
        try {
            body = json.readTree(ctx.bodyAsBytes());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException(400, "body: not JSON; send {\"token\": \"mw_...\"}");
        }
        if (body == null || !body.path("token").isTextual()) {
            throw new ApiException(400, "token: required, an API token (modelwatch token create)");
        }
        String id = sessions.signIn(body.path("token").asText())
                .orElseThrow(() -> new ApiException(401, "the token is not valid (unknown, malformed or revoked)"));
        // the browser keeps only the session id, out of reach of scripts (HttpOnly) and of other sites (SameSite)
        ctx.header("Set-Cookie", DashboardSessions.COOKIE + "=" + id + "; Path=/; Max-Age="
                + DashboardSessions.LIFETIME.toSeconds() + "; HttpOnly; SameSite=Strict"
                + ("https".equals(ctx.scheme()) ? "; Secure" : ""));
        ctx.header("Cache-Control", "no-store");
        send(ctx, new DashboardSessions.SessionView(true, null, null));
    }

    private void page(Context ctx) {
        ctx.header("Content-Security-Policy", assets.contentSecurityPolicy());
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType("text/html; charset=utf-8").result(assets.indexHtml());
    }

    private void send(Context ctx, Object body) {
        try {
            ctx.contentType("application/json").result(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
