package dev.modelwatch.server.api;

import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.health.Readiness;
import dev.modelwatch.server.ops.ServerMetrics;

/** Liveness, readiness and the Prometheus metrics of the server itself. */
final class OperationsRoutes {
    private final Readiness readiness;
    private final ServerMetrics metrics;

    OperationsRoutes(Readiness readiness, ServerMetrics metrics) {
        this.readiness = readiness;
        this.metrics = metrics;
    }

    void register(Router r) {
        r.get("/healthz", Access.PUBLIC, ctx -> {
            Readiness.Liveness live = readiness.liveness();
            Answers.send(ctx, live.alive() ? 200 : 503, live);
        });
        r.get("/readyz", Access.PUBLIC, ctx -> {
            Readiness.Report report = readiness.report();
            Answers.send(ctx, report.ready() ? 200 : 503, report);
        });
        r.get("/metrics", Access.READ, ctx -> {
            ctx.contentType(ServerMetrics.contentType());
            ctx.result(metrics.scrape());
        });
    }
}
