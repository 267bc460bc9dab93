package dev.modelwatch.server.api;

import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.deadletter.DeadLetters;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.drift.ReferenceReader;
import dev.modelwatch.server.health.Readiness;
import dev.modelwatch.server.ingest.BodyException;
import dev.modelwatch.server.ingest.DurableLog;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.IngestAdmission;
import dev.modelwatch.server.ops.ServerMetrics;
import dev.modelwatch.store.Store;
import io.javalin.Javalin;
import io.javalin.router.Endpoint;
import java.time.Clock;
import java.util.List;
import java.util.function.LongSupplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of docs/api.md: the web server, its access checks and error answers, and the route
 * groups it serves (ingest, models, drift, alerts, access, operations, the OpenAPI description).
 */
public final class ApiServer {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final ServerConfig config;
    private final ApiTokens tokens;
    private final boolean tokensRequired;
    private final SslContextFactory.Server tls;
    private final IngestRoutes ingest;
    private final dev.modelwatch.server.aggregate.Backlog backlog;
    private final ModelRoutes models;
    private final DriftRoutes drift;
    private final AlertRoutes alerts;
    private final AccessRoutes access;
    private final OperationsRoutes operations;
    /** Routes other parts of the server add (the dashboard, training runs), before {@link #start()}. */
    private final List<RouteSet> added = new java.util.ArrayList<>();
    /** The tokens of browser sessions, taken when a request has no {@code Authorization} header. */
    private dev.modelwatch.server.auth.SessionTokens sessions = dev.modelwatch.server.auth.SessionTokens.NONE;
    private Javalin app;

    /** Where events come in: decoded, admitted, made durable; and the dead letters they may become. */
    public record Ingest(EventDecoder decoder, DurableLog log, IngestAdmission admission, DeadLetters deadLetters) {
    }

    /** What the API reads and changes: models, their profiles, references, drift and alerts. */
    public record Data(Aggregator aggregator, ModelRegistry registry, ProfileQuery query, Store store,
                       DriftService drift, AlertRuntime alerts) {
    }

    /**
     * Who may call it and how.
     *
     * @param tokens         the API tokens, or null when token checks are off ({@code --insecure-no-auth})
     * @param tokensRequired whether a request without a token is refused
     * @param tls            the HTTPS context, or null for plain HTTP
     */
    public record Security(ApiTokens tokens, boolean tokensRequired, SslContextFactory.Server tls) {
    }

    /** What the operational routes report. */
    public record Operations(Readiness readiness, ServerMetrics metrics) {
    }

    /**
     * @param nanoTime the ticker request durations are measured with ({@code System::nanoTime} in production)
     */
    public ApiServer(ServerConfig config, Ingest in, Data data, Security security, Operations ops, Clock clock,
                     LongSupplier nanoTime) {
        this.config = config;
        this.tokens = security.tokens();
        this.tokensRequired = security.tokensRequired();
        this.tls = security.tls();
        ModelLookup lookup = new ModelLookup(data.registry(), data.aggregator());
        this.backlog = data.aggregator().backlog();
        this.ingest = new IngestRoutes(config, in.decoder(), in.log(), data.aggregator(), in.admission(),
                in.deadLetters(), ops.metrics(), clock, nanoTime);
        this.models = new ModelRoutes(data.registry(), lookup, data.aggregator(), data.query(), data.drift(),
                data.alerts(), in.admission(), clock);
        this.drift = new DriftRoutes(lookup, data.registry(), data.store(), data.drift(),
                new ReferenceReader(in.decoder(), config.ingestLimits()), clock);
        this.alerts = new AlertRoutes(data.alerts(), data.store(), clock);
        this.access = new AccessRoutes(security.tokens());
        this.operations = new OperationsRoutes(ops.readiness(), ops.metrics());
    }

    /** Adds routes, before {@link #start()}. */
    public ApiServer add(RouteSet routes) {
        added.add(routes);
        return this;
    }

    /** Browser sessions the request guard accepts in place of an {@code Authorization} header, before {@link #start()}. */
    public ApiServer sessions(dev.modelwatch.server.auth.SessionTokens sessions) {
        this.sessions = java.util.Objects.requireNonNull(sessions, "sessions");
        return this;
    }

    /** Starts listening; returns the bound port (useful with port 0). */
    public int start() {
        RequestGuard guard = new RequestGuard(tokens, tokensRequired,
                () -> config.access().origin(config.access().scheme(), config.bind(), app.port()), sessions);
        app = Javalin.create(c -> {
            c.jetty.host = config.bind();
            c.jetty.port = config.port();
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            if (tls != null) {
                // the only connector: Javalin adds its plain HTTP one only when there is none
                c.jetty.addConnector((server, http) -> {
                    HttpConfiguration https = new HttpConfiguration(http);
                    https.addCustomizer(new SecureRequestCustomizer(false));
                    ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                            new HttpConnectionFactory(https));
                    connector.setHost(config.bind());
                    connector.setPort(config.port());
                    return connector;
                });
            }
            Router router = new Router(c);
            operations.register(router);
            ingest.register(router);
            models.register(router);
            drift.register(router);
            alerts.register(router);
            access.register(router);
            OpenApi.register(router);
            added.forEach(r -> r.register(c));
            c.routes.beforeMatched(guard);
            c.routes.exception(ApiException.class, (e, ctx) -> Answers.error(ctx, e.status(), e.getMessage()));
            c.routes.exception(BodyException.class, (e, ctx) -> Answers.error(ctx, e.status(), e.getMessage()));
            c.routes.exception(dev.modelwatch.server.aggregate.RuntimeBusyException.class, (e, ctx) -> {
                ctx.header("Retry-After", "5");
                Answers.error(ctx, 503, e.getMessage());
            });
            c.routes.exception(Exception.class, (e, ctx) -> {
                String request;
                try {
                    request = ctx.method() + " " + ctx.path();
                } catch (RuntimeException gone) {
                    // the request no longer exists (a long-lived stream outlived the server's stop):
                    // there is nobody to answer, and throwing here would make Javalin retry forever
                    LOG.debug("a request that ended failed afterwards", e);
                    return;
                }
                LOG.error("request {} failed", request, e);
                try {
                    Answers.error(ctx, 500, "internal error; the server log has the details");
                } catch (RuntimeException gone) {
                    LOG.debug("request {}: the error could not be answered", request, gone);
                }
            });
            c.routes.error(404, ctx -> {
                String sent = ctx.res().getContentType();
                if (sent == null || !sent.startsWith("application/json")) {
                    Answers.error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
                }
            });
            c.routes.error(405, ctx -> Answers.error(ctx, 405, "method not allowed: " + ctx.method() + " "
                    + ctx.path()));
        });
        app.start();
        return app.port();
    }

    /** Every route this server answers: method, path and the {@link dev.modelwatch.server.auth.Access} it needs. */
    public List<Endpoint> routeTable() {
        return app.unsafe.internalRouter.allHttpHandlers().stream().map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod()).toList();
    }

    public void stop() {
        if (app != null) {
            app.stop();
        }
    }

    /** Ingest requests waiting now for the aggregation backlog to fall below its limits. */
    public int requestsWaitingForBacklog() {
        return backlog.waiting();
    }
}
