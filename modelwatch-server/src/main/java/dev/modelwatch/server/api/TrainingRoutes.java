package dev.modelwatch.server.api;

import dev.modelwatch.server.training.RunComparison;
import dev.modelwatch.server.training.RunView;
import dev.modelwatch.server.training.TrainingRuns;
import dev.modelwatch.core.training.RunState;
import dev.modelwatch.server.api.ApiException;
import dev.modelwatch.server.api.RouteSet;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.json.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/runs[?model=]}, {@code GET /api/v1/runs/{run}[?model=][&metrics=a,b]} and
 * {@code GET /api/v1/runs/{run}/compare/{other}?metric=loss[&model=][&other_model=]}.
 */
public final class TrainingRoutes implements RouteSet {
    private final TrainingRuns runs;

    public TrainingRoutes(TrainingRuns runs) {
        this.runs = runs;
    }

    /** The runs list. */
    public record RunList(List<RunView> runs) {
    }

    @Override
    public void register(JavalinConfig config) {
        RoutesConfig routes = config.routes;
        routes.get("/api/v1/runs", ctx -> send(ctx, new RunList(
                runs.list(ctx.queryParam("model")).stream().map(RunView::summary).toList())), Access.READ);
        routes.get("/api/v1/runs/{run}", ctx -> {
            String metrics = ctx.queryParam("metrics");
            Set<String> names = metrics == null ? null
                    : new LinkedHashSet<>(Arrays.stream(metrics.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList());
            send(ctx, RunView.of(one(ctx.pathParam("run"), ctx.queryParam("model")), names));
        }, Access.READ);
        routes.get("/api/v1/runs/{run}/compare/{other}", ctx -> {
            String metric = ctx.queryParam("metric");
            if (metric == null || metric.isBlank()) {
                throw new ApiException(400, "metric: required, the metric to compare (e.g. metric=loss)");
            }
            RunState a = one(ctx.pathParam("run"), ctx.queryParam("model"));
            String otherModel = ctx.queryParam("other_model");
            RunState b = one(ctx.pathParam("other"), otherModel == null ? ctx.queryParam("model") : otherModel);
            send(ctx, RunComparison.of(metric, a, b));
        }, Access.READ);
    }

    private RunState one(String run, String model) {
        List<RunState> found = runs.find(run, model);
        if (found.isEmpty()) {
            throw new ApiException(404, "unknown training run '" + abbreviate(run) + "'"
                    + (model == null ? "" : " of model '" + abbreviate(model) + "'"));
        }
        if (found.size() > 1) {
            throw new ApiException(400, "run '" + abbreviate(run) + "' exists for models "
                    + String.join(", ", runs.modelsOf(run)) + ": name one with ?model=");
        }
        return found.get(0);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    private static void send(Context ctx, Object body) {
        ctx.status(200).contentType("application/json").result(Json.bytes(body));
    }

}
