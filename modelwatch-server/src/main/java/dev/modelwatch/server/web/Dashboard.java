package dev.modelwatch.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.api.ApiException;
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
 *     Dashboard.register(c, new DashboardSources(models, query, drift, alerts, clock));
 * });
 * }</pre>
 */
public final class Dashboard {
    /** How often an open event stream looks for changes. */
    private static final long LIVE_POLL_MS = 1_000;

    private final WebAssets assets = new WebAssets();
    private final OverviewReport overview;
    private final LiveFeed live;
    private final ObjectMapper json = new ObjectMapper();

    private Dashboard(DashboardSources sources) {
        this.overview = new OverviewReport(sources);
        this.live = new LiveFeed(sources, LIVE_POLL_MS);
    }

    /** Adds the dashboard's routes to a server being configured. */
    public static void register(JavalinConfig c, DashboardSources sources) {
        new Dashboard(sources).routes(c);
    }

    private void routes(JavalinConfig c) {
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
        c.routes.sse("/api/v1/dashboard/events", client -> {
            try {
                live.serve(client);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, Access.READ);
        c.events.serverStopping(live::close);
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
