package dev.modelwatch.server.web;

import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.aggregate.ProfileQuery;
import dev.modelwatch.server.alert.AlertRuntime;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.training.TrainingRuns;
import java.time.Clock;
import java.util.Objects;

/**
 * What the dashboard's own read endpoints read: the same registry, queries, drift service, alert
 * runtime and training runs as the public API, and the browser sessions the request guard also reads.
 */
public record DashboardSources(ModelRegistry models, ProfileQuery query, DriftService drift, AlertRuntime alerts,
                               Clock clock, DashboardSessions sessions, TrainingRuns runs) {
    public DashboardSources {
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(drift, "drift");
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(runs, "runs");
    }
}
