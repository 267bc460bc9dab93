package dev.modelwatch.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.server.deadletter.DeadLetterEntry;
import dev.modelwatch.server.deadletter.DeadLetters;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ProfileSummary;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.Durations;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.drift.ReferenceReader;
import dev.modelwatch.core.drift.ReferenceBuilder;
import dev.modelwatch.store.StoredReference;
import dev.modelwatch.server.ingest.BodyException;
import dev.modelwatch.server.ingest.DecodedBatch;
import dev.modelwatch.server.ingest.DurableLog;
import dev.modelwatch.server.ingest.IngestAdmission;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.LogRecord;
import dev.modelwatch.server.ops.ServerMetrics;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.Store;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.auth.BodyTypes;
import dev.modelwatch.server.auth.CreatedToken;
import dev.modelwatch.server.auth.RequestGuard;
import dev.modelwatch.server.auth.TokenView;
import io.javalin.Javalin;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The public HTTP API of {@code ../shared/API.md} (v1) and the operational endpoints. */
public final class ApiServer {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final int MAX_LISTED_ERRORS = 100;
    private static final long DEFAULT_RANGE_MS = 24 * 3_600_000L;

    private final ServerConfig config;
    private final EventDecoder decoder;
    private final DurableLog log;
    private final Aggregator aggregator;
    private final ModelRegistry models;
    private final ProfileQuery query;
    private final Store store;
    private final ServerMetrics metrics;
    private final DriftService drift;
    private final AlertRuntime alerts;
    private final ReferenceReader referenceReader;
    private final dev.modelwatch.server.health.Readiness readiness;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final ApiTokens tokens;
    private final boolean tokensRequired;
    private final SslContextFactory.Server tls;
    private Javalin app;
    private final List<RouteSet> added = new ArrayList<>();

    /** The ingest check of limits.max_models and limits.max_features_per_model. */
    private final IngestAdmission admission;

    public ApiServer(ServerConfig config, EventDecoder decoder, DurableLog log, Aggregator aggregator,
                     ModelRegistry models, ProfileQuery query, Store store, ServerMetrics metrics, DriftService drift,
                     AlertRuntime alerts, dev.modelwatch.server.health.Readiness readiness, DeadLetters deadLetters,
                     ApiTokens tokens, boolean tokensRequired, SslContextFactory.Server tls, Clock clock,
                     IngestAdmission admission) {
        this.tls = tls;
        this.admission = admission;
        this.alerts = alerts;
        this.tokens = tokens;
        this.tokensRequired = tokensRequired;
        this.deadLetters = deadLetters;
        this.readiness = readiness;
        this.config = config;
        this.decoder = decoder;
        this.log = log;
        this.aggregator = aggregator;
        this.models = models;
        this.query = query;
        this.store = store;
        this.metrics = metrics;
        this.drift = drift;
        this.referenceReader = new ReferenceReader(decoder, config.ingestLimits());
        this.clock = clock;
    }

    /** Adds routes, before {@link #start()}. */
    public ApiServer add(RouteSet routes) {
        added.add(routes);
        return this;
    }

    /** Starts listening; returns the bound port (useful with port 0). */
    public int start() {
        RequestGuard guard = new RequestGuard(tokens, tokensRequired,
                () -> config.access().origin(config.access().scheme(), config.bind(), app.port()));
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
            c.routes.get("/healthz", ctx -> {
                dev.modelwatch.server.health.Readiness.Liveness live = readiness.liveness();
                send(ctx, live.alive() ? 200 : 503, live);
            }, Access.PUBLIC);
            c.routes.get("/readyz", this::ready, Access.PUBLIC);
            c.routes.get("/metrics", ctx -> {
                ctx.contentType(ServerMetrics.contentType());
                ctx.result(metrics.scrape());
            }, Access.READ);
            route(c, HandlerType.POST, "/api/v1/events", Access.INGEST, BodyTypes.EVENTS, this::ingest);
            c.routes.get("/api/v1/models", this::listModels, Access.READ);
            c.routes.get("/api/v1/models/{model}", ctx -> send(ctx, 200, modelJson(model(ctx))), Access.READ);
            c.routes.put("/api/v1/models/{model}", this::declare, Access.ADMIN);
            c.routes.get("/api/v1/models/{model}/summary", this::summary, Access.READ);
            c.routes.get("/api/v1/models/{model}/metrics", this::series, Access.READ);
            route(c, HandlerType.PUT, "/api/v1/models/{model}/reference", Access.ADMIN, BodyTypes.REFERENCE, this::putReference);
            c.routes.get("/api/v1/models/{model}/reference", this::listReferences, Access.READ);
            c.routes.delete("/api/v1/models/{model}/reference", this::deleteReference, Access.ADMIN);
            c.routes.get("/api/v1/models/{model}/drift", this::drift, Access.READ);
            c.routes.get("/api/v1/alerts", ctx -> {
                String state = ctx.queryParam("state");
                if (state != null && !java.util.Set.of("inactive", "pending", "firing", "resolved", "no_data", "error")
                        .contains(state)) {
                    throw new ApiException(400, "state: must be pending, firing, resolved, no_data or error");
                }
                PageRequest page = PageRequest.of(ctx, 2);
                AlertRuntime.AlertPage p = alerts.alerts(state, ctx.queryParam("model"),
                        page.after() == null ? null : new AlertRuntime.AlertPosition(page.after().get(0), page.after().get(1)),
                        page.limit());
                send(ctx, 200, new AlertList(p.alerts(),
                        p.last() == null ? null : PageRequest.cursor(p.last().rule(), p.last().id())));
            }, Access.READ);
            c.routes.get("/api/v1/alert-history", ctx -> {
                long since = ctx.queryParam("since") == null ? clock.millis() - 86_400_000L
                        : Times.parse("since", ctx.queryParam("since"));
                send(ctx, 200, Map.of("history", alerts.history(ctx.queryParam("alert"), since, 1_000)));
            }, Access.READ);
            c.routes.get("/api/v1/alerts/{id}", ctx -> send(ctx, 200, alerts.alert(alertId(ctx))
                    .orElseThrow(() -> new ApiException(404, "no alert with id '" + ctx.pathParam("id") + "'"))), Access.READ);
            c.routes.post("/api/v1/alerts/{id}/ack", this::acknowledge, Access.ADMIN);
            c.routes.get("/api/v1/silences", ctx -> send(ctx, 200, Map.of("silences", alerts.silences())), Access.READ);
            c.routes.post("/api/v1/silences", this::addSilence, Access.ADMIN);
            c.routes.delete("/api/v1/silences/{id}", ctx -> {
                if (!alerts.expireSilence(ctx.pathParam("id"))) {
                    throw new ApiException(404, "no silence with id '" + ctx.pathParam("id") + "'");
                }
                ctx.status(204);
            }, Access.ADMIN);
            c.routes.get("/api/v1/rules", ctx -> send(ctx, 200, Map.of("rules", alerts.rules())), Access.READ);
            c.routes.get("/api/v1/tokens", ctx -> send(ctx, 200, Map.of("tokens", tokenViews())), Access.ADMIN);
            c.routes.post("/api/v1/tokens", this::createToken, Access.ADMIN);
            c.routes.delete("/api/v1/tokens/{id}", ctx -> {
                if (tokens == null) {
                    throw new ApiException(409, "token checks are off (--insecure-no-auth): no tokens to revoke");
                }
                if (!tokens.revoke(ctx.pathParam("id"))) {
                    throw new ApiException(404, "no token with id '" + ctx.pathParam("id") + "'");
                }
                ctx.status(204);
            }, Access.ADMIN);
            c.routes.get("/api/v1/dead-letters", ctx -> send(ctx, 200, new DeadLetterList(
                    deadLetters.list("true".equals(ctx.queryParam("replayed"))))), Access.READ);
            c.routes.get("/api/v1/dead-letters/{id}", ctx -> send(ctx, 200, deadLetter(ctx.pathParam("id"))), Access.READ);
            c.routes.post("/api/v1/dead-letters/{id}/replay", this::replayDeadLetter, Access.ADMIN);
            c.routes.beforeMatched(guard);
            added.forEach(r -> r.register(c.routes));
            c.routes.exception(ApiException.class, (e, ctx) -> send(ctx, e.status(), Map.of("error", e.getMessage())));
            c.routes.exception(BodyException.class, (e, ctx) -> send(ctx, e.status(), Map.of("error", e.getMessage())));
            c.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("request {} {} failed", ctx.method(), ctx.path(), e);
                send(ctx, 500, Map.of("error", "internal error; the server log has the details"));
            });
            c.routes.error(404, ctx -> {
                String sent = ctx.res().getContentType();
                if (sent == null || !sent.startsWith("application/json")) {
                    send(ctx, 404, Map.of("error", "no such endpoint: " + ctx.method() + " " + ctx.path()));
                }
            });
            c.routes.error(405, ctx -> send(ctx, 405, Map.of("error", "method not allowed: " + ctx.method() + " "
                    + ctx.path())));
        });
        app.start();
        return app.port();
    }

    /** Every route this server answers: method, path and the {@link Access} it needs (none: not served). */
    public List<Endpoint> routeTable() {
        return app.unsafe.internalRouter.allHttpHandlers().stream().map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod()).toList();
    }

    private static void route(io.javalin.config.JavalinConfig c, HandlerType method, String path, Access access,
                              BodyTypes bodyTypes, io.javalin.http.Handler handler) {
        c.routes.addEndpoint(new Endpoint(method, path, handler, java.util.Set.of(new Roles(java.util.Set.of(access)),
                bodyTypes)));
    }

    private List<TokenView> tokenViews() {
        return tokens == null ? List.of() : tokens.all().stream().map(TokenView::of).toList();
    }

    private void createToken(Context ctx) throws IOException {
        if (tokens == null) {
            throw new ApiException(409, "token checks are off (--insecure-no-auth): a token created now would not be"
                    + " checked; restart without it");
        }
        JsonNode body = jsonBody(ctx);
        List<String> scopes = new ArrayList<>();
        JsonNode s = body.path("scopes");
        if (s.isTextual()) {
            scopes.addAll(Arrays.asList(s.asText().split(",")));
        } else if (s.isArray()) {
            s.forEach(n -> scopes.add(n.asText()));
        }
        try {
            CreatedToken created = tokens.create(body.path("name").asText(null), scopes);
            LOG.info("API token {} ('{}', scopes {}) created through the API", created.id(), created.name(),
                    created.scopes());
            send(ctx, 201, created);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    public void stop() {
        if (app != null) {
            app.stop();
        }
    }

    private void ready(Context ctx) {
        dev.modelwatch.server.health.Readiness.Report report = readiness.report();
        send(ctx, report.ready() ? 200 : 503, report);
    }

    // ---- ingest ----

    private void ingest(Context ctx) throws IOException {
        long t0 = System.nanoTime();
        int status = 200;
        int accepted = 0;
        int rejected = 0;
        try {
            if (!awaitBacklogBelowLimit()) {
                // read the body first: a client still sending would otherwise see a broken pipe, not the 429
                ctx.bodyInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                status = 429;
                ctx.header("Retry-After", "1");
                send(ctx, 429, Map.of("error", "overloaded: " + aggregator.queuedEvents()
                        + " events are waiting to be aggregated (about " + (aggregator.queuedEventBytes() >> 20)
                        + " MiB); retry after 1 s"));
                return;
            }
            long now = clock.millis();
            byte[] raw = readLimited(ctx, config.maxBodyBytes());
            boolean gzip = isGzip(ctx);
            byte[] body = gzip ? gunzip(raw, config.maxBodyBytes()) : raw;
            String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
            DecodedBatch batch;
            LogRecord.Format format;
            if (type.startsWith("application/x-ndjson") || type.startsWith("application/ndjson")
                    || type.startsWith("application/jsonl") || type.startsWith("application/jsonlines")) {
                format = LogRecord.Format.NDJSON;
                batch = decoder.decodeNdjson(body, now);
            } else if (type.startsWith("application/json") || type.isEmpty()) {
                format = LogRecord.Format.JSON;
                batch = decoder.decodeJson(body, now);
            } else {
                throw new BodyException(400, "Content-Type '" + ctx.contentType()
                        + "' is not accepted; send application/json or application/x-ndjson");
            }
            batch = admission.admit(batch);
            accepted = batch.events().size();
            rejected = batch.errors().size();
            if (!batch.events().isEmpty()) {
                int[] rejectedIndexes = batch.errors().stream().mapToInt(DecodedBatch.EventError::index).toArray();
                // the log keeps the bytes as sent (gzip too); replay decodes them again as of `now`
                LogRecord record = new LogRecord(now, format, gzip, rejectedIndexes, raw);
                try {
                    appendDurably(record, batch.events());
                } catch (ApiException e) {
                    accepted = 0;
                    rejected = 0;
                    throw e;
                }
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("accepted", accepted);
            answer.put("rejected", rejected);
            List<Object> errors = new ArrayList<>();
            for (DecodedBatch.EventError e : batch.errors()) {
                if (errors.size() >= MAX_LISTED_ERRORS) {
                    break;
                }
                errors.add(Map.of("index", e.index(), "error", e.error()));
            }
            answer.put("errors", errors);
            send(ctx, 200, answer);
        } catch (BodyException e) {
            status = e.status();
            throw e;
        } catch (ApiException e) {
            status = e.status();
            throw e;
        } finally {
            metrics.onRequest(status, System.nanoTime() - t0, accepted, rejected);
        }
    }

    /** Appends a record to the ingest log and waits until it is durable; a 503 when it cannot be. */
    private void appendDurably(LogRecord record, List<dev.modelwatch.core.event.Event> events) {
        try {
            log.append(record.parts(), events).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            String why = e instanceof ExecutionException && e.getCause() != null ? e.getCause().getMessage()
                    : "no answer from the ingest log in 60 s";
            throw new ApiException(503, "the events could not be made durable (" + why
                    + "); nothing of this request was accepted, retry it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted before the events were durable; retry");
        }
    }

    // ---- models ----

    /** {@code GET /api/v1/models}: a page of models in name order. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ModelList(List<Map<String, Object>> models, String nextCursor) {
    }

    /** {@code GET /api/v1/alerts}: a page of alerts in rule, then id order. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record AlertList(List<Map<String, Object>> alerts, String nextCursor) {
    }

    private void listModels(Context ctx) {
        PageRequest page = PageRequest.of(ctx, 1);
        awaitApplied();
        List<ModelRecord> all = models.all();
        int from = 0;
        if (page.after() != null) {
            String after = page.after().get(0);
            int lo = 0;
            int hi = all.size();
            while (lo < hi) { // the first model named after the cursor's
                int mid = (lo + hi) >>> 1;
                if (all.get(mid).name().compareTo(after) <= 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            from = lo;
        }
        int to = (int) Math.min(all.size(), (long) from + page.limit());
        List<Map<String, Object>> list = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            list.add(modelJson(all.get(i)));
        }
        send(ctx, 200, new ModelList(list, to < all.size() ? PageRequest.cursor(all.get(to - 1).name()) : null));
    }

    // ---- dead letters ----

    /** {@code GET /api/v1/dead-letters}. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record DeadLetterList(List<DeadLetterEntry> deadLetters) {
    }

    /** {@code POST /api/v1/dead-letters/{id}/replay}: the entry and how ingest took its events. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record DeadLetterReplay(DeadLetterEntry entry, int accepted, int rejected, List<DecodedBatch.EventError> errors) {
    }

    private DeadLetterEntry deadLetter(String id) {
        return deadLetters.find(id).orElseThrow(() -> new ApiException(404, "no dead-letter entry '" + id + "'"));
    }

    /**
     * Sends a dead-letter entry's events through ingest again (validated as any request is, made
     * durable, then aggregated), and moves the entry to {@code replayed/}.
     */
    private synchronized void replayDeadLetter(Context ctx) {
        DeadLetterEntry entry = deadLetter(ctx.pathParam("id"));
        if (entry.replayedAt() != null) {
            throw new ApiException(409, "dead-letter entry '" + entry.id() + "' was replayed at " + entry.replayedAt());
        }
        byte[] body = deadLetters.events(entry.id());
        long now = clock.millis();
        DecodedBatch batch = admission.admit(decoder.decodeNdjson(body, now));
        if (!batch.events().isEmpty()) {
            int[] rejectedIndexes = batch.errors().stream().mapToInt(DecodedBatch.EventError::index).toArray();
            appendDurably(new LogRecord(now, LogRecord.Format.NDJSON, false, rejectedIndexes, body), batch.events());
        }
        DeadLetterEntry done = deadLetters.markReplayed(entry.id());
        LOG.info("dead-letter entry {} replayed: {} events accepted, {} rejected", entry.id(), batch.events().size(),
                batch.errors().size());
        List<DecodedBatch.EventError> errors = batch.errors().size() <= MAX_LISTED_ERRORS ? batch.errors()
                : batch.errors().subList(0, MAX_LISTED_ERRORS);
        send(ctx, 200, new DeadLetterReplay(done, batch.events().size(), batch.errors().size(), errors));
    }

    /**
     * Waits up to {@code ingest.max_queue_wait} for the events waiting for aggregation to fall
     * below {@code ingest.max_queued_events} and their estimated heap below
     * {@code limits.max_queued_event_bytes}; false when they did not (the request gets a 429).
     * Waiting here, rather than answering 429 at once, holds the clients to the aggregator's pace
     * without the pauses of a retry after a refusal.
     */
    private boolean awaitBacklogBelowLimit() {
        if (backlogBelowLimit()) {
            return true;
        }
        long deadline = System.nanoTime() + config.maxQueueWait().toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Thread.sleep(2);
                if (backlogBelowLimit()) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private boolean backlogBelowLimit() {
        return aggregator.queuedEvents() <= config.maxQueuedEvents()
                && aggregator.queuedEventBytes() <= config.limits().maxQueuedEventBytes();
    }

    /** The body as sent, refused with 413 past {@code limit} (by its Content-Length when it declares one). */
    private static byte[] readLimited(Context ctx, long limit) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw new BodyException(413, "body of " + declared + " bytes is over the limit of " + limit
                    + " bytes (ingest.max_body_bytes)");
        }
        if (declared >= 0) {
            byte[] body = new byte[(int) declared];
            int n = ctx.bodyInputStream().readNBytes(body, 0, body.length);
            if (n < declared) {
                throw new BodyException(400, "truncated body: " + n + " of " + declared + " bytes arrived");
            }
            return body;
        }
        return readLimited(ctx.bodyInputStream(), limit, "body");
    }

    private static boolean isGzip(Context ctx) {
        String encoding = ctx.header("Content-Encoding");
        if (encoding == null || encoding.trim().equalsIgnoreCase("identity")) {
            return false;
        }
        if (encoding.trim().equalsIgnoreCase("gzip")) {
            return true;
        }
        throw new BodyException(400, "Content-Encoding '" + encoding + "' is not supported; use gzip or none");
    }

    private static byte[] gunzip(byte[] raw, long limit) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            return readLimited(in, limit, "decompressed body");
        } catch (ZipException | java.io.EOFException e) {
            throw new BodyException(400, "body is not valid gzip: " + e.getMessage());
        }
    }

    private static byte[] readLimited(InputStream in, long limit, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > limit) {
                throw new BodyException(413, what + " is over the limit of " + limit + " bytes (ingest.max_body_bytes)");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    // ---- models ----

    /** The {@code {model}} of the path: 400 naming it when it cannot be a model name. */
    private static String modelName(Context ctx) {
        String name = ctx.pathParam("model");
        if (!EventDecoder.isModelName(name)) {
            throw new ApiException(400, "model: '" + (name.length() > 64 ? name.substring(0, 64) + "..." : name) + "' "
                    + EventDecoder.modelNameProblem(name));
        }
        return name;
    }

    private ModelRecord model(Context ctx) {
        String name = modelName(ctx);
        // a model first seen in events acknowledged a moment ago may not be aggregated yet
        if (models.get(name).isEmpty()) {
            awaitApplied();
        }
        return models.get(name).orElseThrow(() -> new ApiException(404, "unknown model '" + name + "'"));
    }

    /** Returns once every event acknowledged before this call has been aggregated (read-your-writes). */
    private void awaitApplied() {
        try {
            aggregator.ask(a -> Boolean.TRUE).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(503, "the aggregation runtime did not answer in time; retry");
        }
    }

    private void declare(Context ctx) throws Exception {
        String name = modelName(ctx);
        JsonNode body;
        try {
            body = json.readTree(ctx.bodyAsBytes());
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        }
        List<String> problems = new ArrayList<>();
        ModelSpec spec = ConfigLoader.modelSpec(name, body, "body", problems);
        if (spec == null) {
            throw new ApiException(400, String.join("; ", problems));
        }
        String overLimit = admission.admitModel(name);
        if (overLimit != null) {
            throw new ApiException(409, overLimit);
        }
        ModelRecord r;
        try {
            r = aggregator.ask(a -> a.declare(spec)).get(30, TimeUnit.SECONDS);
            aggregator.flushNow().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalStateException ise) {
                throw new ApiException(409, ise.getMessage());
            }
            throw e;
        }
        send(ctx, 200, modelJson(r));
    }

    private Map<String, Object> modelJson(ModelRecord m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", m.name());
        o.put("task", m.spec().task().wireName());
        if (m.spec().task() == dev.modelwatch.core.metrics.ModelTask.BINARY_CLASSIFICATION) {
            o.put("positive_class", m.spec().positiveClass());
        }
        o.put("window", Durations.format(java.time.Duration.ofMillis(m.spec().windowMs())));
        o.put("declared", m.spec().declared());
        o.put("versions", m.versions());
        o.put("first_event", m.predictionCount() == 0 ? null : Times.format(m.firstEventMs()));
        o.put("last_event", m.predictionCount() == 0 ? null : Times.format(m.lastEventMs()));
        o.put("prediction_count", m.predictionCount());
        List<dev.modelwatch.server.alert.AlertView.FiringAlert> firing = alerts.firing(m.name());
        boolean critical = firing.stream().anyMatch(a -> "critical".equals(a.severity()));
        o.put("health", critical ? "critical" : firing.isEmpty() ? "ok" : "warning");
        o.put("firing_alerts", firing.stream().map(dev.modelwatch.server.alert.AlertView.FiringAlert::labels).toList());
        return o;
    }

    // ---- alerts ----

    private JsonNode jsonBody(Context ctx) throws IOException {
        byte[] body = readLimited(ctx, 1 << 20);
        try {
            JsonNode n = json.readTree(body);
            if (n == null || !n.isObject()) {
                throw new ApiException(400, "the body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    /** The {@code {id}} of an alert route: 1 to 16 hex digits, else 400 (not a 500 from deeper down). */
    private static String alertId(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches("[0-9a-fA-F]{1,16}")) {
            throw new ApiException(400, "id: '" + id + "' is not an alert id (16 hex digits)");
        }
        return id;
    }

    private void acknowledge(Context ctx) throws IOException {
        JsonNode body = jsonBody(ctx);
        String by = body.path("by").asText("");
        if (by.isBlank() || by.length() > 128) {
            throw new ApiException(400, "by: required, who acknowledges (1 to 128 characters)");
        }
        String comment = body.path("comment").isMissingNode() || body.path("comment").isNull() ? null
                : body.path("comment").asText();
        if (comment != null && comment.length() > 4096) {
            throw new ApiException(400, "comment: at most 4096 characters");
        }
        send(ctx, 200, alerts.acknowledge(alertId(ctx), by, comment)
                .orElseThrow(() -> new ApiException(404, "no alert with id '" + ctx.pathParam("id") + "'")));
    }

    private void addSilence(Context ctx) throws IOException {
        JsonNode body = jsonBody(ctx);
        List<String> problems = new ArrayList<>();
        List<dev.modelwatch.core.rules.LabelMatcher> matchers = new ArrayList<>();
        JsonNode m = body.path("matchers");
        if (!m.isArray() || m.isEmpty()) {
            problems.add("matchers: required, a list like [\"model=\\\"fraud\\\"\", \"severity=~\\\"critical|page\\\"\"]");
        } else {
            for (int i = 0; i < m.size(); i++) {
                try {
                    matchers.add(dev.modelwatch.server.alert.dispatch.MatcherParser.parse(m.get(i).asText()));
                } catch (IllegalArgumentException e) {
                    problems.add("matchers[" + i + "]: " + e.getMessage());
                }
            }
        }
        long now = clock.millis();
        long starts = now;
        long ends = 0;
        try {
            if (body.hasNonNull("starts_at")) {
                starts = Times.parse("starts_at", body.get("starts_at").asText());
            }
            if (body.hasNonNull("ends_at")) {
                ends = Times.parse("ends_at", body.get("ends_at").asText());
            } else if (body.hasNonNull("duration")) {
                ends = starts + Durations.parse(body.get("duration").asText()).toMillis();
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
        Map<String, Object> answer = alerts.addSilence(matchers, starts, ends, by,
                body.path("comment").isMissingNode() ? null : body.path("comment").asText());
        if (answer.containsKey("problems")) {
            throw new ApiException(400, String.join("; ", (List<String>) answer.get("problems")));
        }
        send(ctx, 200, answer);
    }

    // ---- references and drift ----

    private void putReference(Context ctx) throws IOException {
        ModelRecord m = model(ctx);
        String version = ctx.queryParam("version");
        if (version != null && (version.isEmpty() || version.length() > 128)) {
            throw new ApiException(400, "version: must be 1 to 128 characters");
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
        boolean csv = type.startsWith("text/csv") || type.startsWith("application/csv");
        if (!csv && !type.startsWith("application/json") && !type.isEmpty()) {
            throw new BodyException(400, "Content-Type '" + ctx.contentType()
                    + "' is not accepted; send application/json or text/csv");
        }
        InputStream in = ctx.req().getInputStream();
        if (isGzip(ctx)) {
            try {
                in = new GZIPInputStream(in, 1 << 16);
            } catch (ZipException e) {
                throw new BodyException(400, "Content-Encoding is gzip but the body is not gzip: " + e.getMessage());
            }
        }
        ReferenceBuilder builder = new ReferenceBuilder(m.spec());
        ReferenceReader.Outcome outcome;
        try {
            outcome = csv
                    ? referenceReader.readCsv(in, r -> builder.add(r.features(), r.prediction(), r.score(), r.scores(), r.label()))
                    : referenceReader.readJson(in, r -> builder.add(r.features(), r.prediction(), r.score(), r.scores(), r.label()));
        } catch (ZipException e) {
            throw new BodyException(400, "corrupt gzip body: " + e.getMessage());
        }
        List<Map<String, Object>> errors = new ArrayList<>();
        for (ReferenceReader.RowError e : outcome.errors()) {
            errors.add(Map.of("index", e.index(), "error", e.reason()));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model", m.name());
        answer.put("version", version);
        answer.put("accepted", outcome.accepted());
        answer.put("rejected", outcome.rejected());
        answer.put("errors", errors);
        if (outcome.accepted() == 0) {
            answer.put("error", "no valid rows: the reference was not stored"
                    + (store.findReference(m.name(), version).isPresent() ? " and the previous one is kept" : ""));
            send(ctx, 400, answer);
            return;
        }
        dev.modelwatch.core.drift.Reference reference = builder.build(outcome.featureImportances());
        store.putReference(new StoredReference(m.name(), version == null ? StoredReference.ANY_VERSION : version,
                dev.modelwatch.core.drift.Reference.UPLOAD, outcome.accepted(), clock.millis(), reference.toBytes()));
        drift.invalidate(m.name());
        models.markChanged(m.name(), clock.millis());
        answer.put("features", reference.profile().features().size());
        answer.put("labeled", reference.profile().labeled());
        answer.put("multivariate_features", reference.multivariate() == null ? List.of()
                : reference.multivariate().featuresUsed());
        answer.put("calibrated", !reference.calibrators().isEmpty());
        send(ctx, 200, answer);
    }

    private void listReferences(Context ctx) {
        ModelRecord m = model(ctx);
        List<Map<String, Object>> refs = new ArrayList<>();
        for (StoredReference r : store.references(m.name())) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("version", r.version().isEmpty() ? null : r.version());
            o.put("source", r.source());
            o.put("rows", r.rows());
            o.put("uploaded_at", Times.format(r.createdAtMs()));
            refs.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.name());
        out.put("references", refs);
        send(ctx, 200, out);
    }

    private void deleteReference(Context ctx) {
        ModelRecord m = model(ctx);
        String version = ctx.queryParam("version");
        boolean deleted = store.deleteReference(m.name(), version == null ? StoredReference.ANY_VERSION : version);
        drift.invalidate(m.name());
        models.markChanged(m.name(), clock.millis());
        if (!deleted) {
            throw new ApiException(404, "no uploaded reference of '" + m.name() + "'"
                    + (version == null ? " for every version" : " for version '" + version + "'"));
        }
        ctx.status(204);
    }

    private void drift(Context ctx) {
        ModelRecord m = model(ctx);
        Range r = range(ctx);
        send(ctx, 200, drift.drift(m, r.version(), r.segment(), r.from(), r.to()));
    }

    // ---- metrics ----

    private record Range(long from, long to, String version, String segment) {
    }

    private Range range(Context ctx) {
        long now = clock.millis();
        String toParam = ctx.queryParam("to");
        String fromParam = ctx.queryParam("from");
        long to = toParam == null ? now + 1 : Times.parse("to", toParam);
        long from = fromParam == null ? to - DEFAULT_RANGE_MS : Times.parse("from", fromParam);
        if (from >= to) {
            throw new ApiException(400, "from must be before to");
        }
        String version = ctx.queryParam("version");
        String segment = ctx.queryParam("segment");
        if (segment == null || segment.isEmpty()) {
            segment = ProfileKey.ALL;
        } else {
            int colon = segment.indexOf(':');
            if (colon <= 0 || colon == segment.length() - 1) {
                throw new ApiException(400, "segment: '" + segment + "' must be key:value, e.g. region:eu");
            }
        }
        return new Range(from, to, version, segment);
    }

    private void summary(Context ctx) {
        ModelRecord m = model(ctx);
        Range r = range(ctx);
        WindowProfile p = query.range(m.spec(), r.version(), r.segment(), r.from(), r.to());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.name());
        out.put("from", Times.format(r.from()));
        out.put("to", Times.format(r.to()));
        out.put("version", r.version());
        out.put("segment", r.segment().isEmpty() ? null : r.segment());
        out.putAll(ProfileSummary.of(p, m.spec()));
        long w = m.spec().windowMs();
        long alignedFrom = Math.floorDiv(r.from(), w) * w;
        long alignedTo = Math.floorDiv(r.to() + w - 1, w) * w;
        out.put("throughput_per_s", p.count() * 1000.0 / (alignedTo - alignedFrom));
        send(ctx, 200, out);
    }

    private void series(Context ctx) {
        ModelRecord m = model(ctx);
        Range r = range(ctx);
        String namesParam = ctx.queryParam("names");
        if (namesParam == null || namesParam.isBlank()) {
            throw new ApiException(400, "names: required, a comma-separated list of " + known());
        }
        List<String> names = Arrays.stream(namesParam.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String n : names) {
            if (!MetricCatalog.isKnown(n) && !DriftService.SERIES.contains(n)) {
                throw new ApiException(400, "names: unknown metric '" + n + "'; known: " + known());
            }
        }
        long step = m.spec().windowMs();
        String stepParam = ctx.queryParam("step");
        if (stepParam != null) {
            try {
                step = Durations.parse(stepParam).toMillis();
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "step: " + e.getMessage());
            }
        }
        List<ProfileQuery.Bucket> buckets;
        try {
            buckets = query.series(m.spec(), r.version(), r.segment(), r.from(), r.to(), step);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "step: " + e.getMessage());
        }
        List<String> driftNames = names.stream().filter(DriftService.SERIES::contains).toList();
        DriftService.ResolvedReference reference = driftNames.isEmpty() ? null
                : drift.reference(m, r.version()).orElse(null);
        Map<String, Map<String, Object>> series = new LinkedHashMap<>();
        for (ProfileQuery.Bucket b : buckets) {
            List<MetricCatalog.MetricValue> values = new ArrayList<>(
                    MetricCatalog.values(b.profile(), m.spec(), b.endMs() - b.startMs(), names));
            if (reference != null && b.profile().count() > 0) {
                values.addAll(drift.seriesValues(m.spec(), reference.reference(), b.profile(), driftNames));
            }
            for (MetricCatalog.MetricValue v : values) {
                String key = v.name() + v.labels();
                Map<String, Object> s = series.computeIfAbsent(key, k -> {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("name", v.name());
                    o.put("labels", v.labels());
                    o.put("points", new ArrayList<List<Object>>());
                    return o;
                });
                @SuppressWarnings("unchecked")
                List<List<Object>> points = (List<List<Object>>) s.get("points");
                points.add(List.of(b.startMs(), v.value()));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.name());
        out.put("step", Durations.format(java.time.Duration.ofMillis(step)));
        out.put("series", new ArrayList<>(series.values()));
        send(ctx, 200, out);
    }

    private static String known() {
        List<String> all = new ArrayList<>(MetricCatalog.MODEL_METRICS);
        all.addAll(MetricCatalog.FEATURE_METRICS);
        all.addAll(DriftService.SERIES);
        return String.join(", ", all);
    }

    private void send(Context ctx, int status, Object body) {
        try {
            ctx.status(status);
            ctx.contentType("application/json");
            ctx.result(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
