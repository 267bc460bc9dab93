package dev.modelwatch.server.health;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers of {@code /healthz} and {@code /readyz}: every worker alive, and every check of the
 * parts that can fail on their own (the ingest log, storage, the pending-row store, a model whose
 * writes storage refuses).
 */
public final class Readiness {
    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

    private final Workers workers;
    private final List<HealthCheck> checks;
    private final java.util.function.BooleanSupplier storageReachable;
    private final java.util.function.LongSupplier queuedEvents;

    /**
     * The {@code /readyz} answer. {@code status}: {@code ready}, {@code degraded} (working, but
     * something listed in {@code problems} is not) or {@code not_ready}; {@code storage}:
     * {@code reachable} or {@code unreachable}; {@code queued_events}: durable events not yet aggregated.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Report(String status, String storage, long queuedEvents, List<Workers.WorkerStatus> workers,
                         List<HealthProblem> problems) {
        public boolean ready() {
            return !status.equals("not_ready");
        }
    }

    /** The {@code /healthz} answer: {@code ok}, or {@code dead} with the dead workers. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Liveness(String status, List<Workers.WorkerStatus> deadWorkers) {
        public boolean alive() {
            return deadWorkers.isEmpty();
        }
    }

    /**
     * @param storageReachable whether the database answers now
     * @param queuedEvents     durable events waiting for the aggregator
     * @param checks           the other parts' checks
     */
    public Readiness(Workers workers, java.util.function.BooleanSupplier storageReachable,
                     java.util.function.LongSupplier queuedEvents, List<HealthCheck> checks) {
        this.workers = workers;
        this.storageReachable = storageReachable;
        this.queuedEvents = queuedEvents;
        this.checks = List.copyOf(checks);
    }

    public Liveness liveness() {
        List<Workers.WorkerStatus> dead = workers.dead();
        return new Liveness(dead.isEmpty() ? "ok" : "dead", dead);
    }

    public Report report() {
        List<HealthProblem> problems = new ArrayList<>();
        for (Workers.WorkerStatus w : workers.dead()) {
            problems.add(HealthProblem.blocking(w.name(), "worker died: " + w.cause()));
        }
        boolean reachable = storageReachable.getAsBoolean();
        if (!reachable) {
            problems.add(HealthProblem.blocking("storage", "the database does not answer"));
        }
        for (HealthCheck c : checks) {
            try {
                problems.addAll(c.problems());
            } catch (RuntimeException e) {
                LOG.warn("a readiness check failed: {}", e.toString());
                problems.add(HealthProblem.blocking("readiness check", "could not be run: " + e.getMessage()));
            }
        }
        String status = problems.stream().anyMatch(HealthProblem::blocking) ? "not_ready"
                : problems.isEmpty() ? "ready" : "degraded";
        return new Report(status, reachable ? "reachable" : "unreachable", queuedEvents.getAsLong(), workers.statuses(),
                problems);
    }
}
