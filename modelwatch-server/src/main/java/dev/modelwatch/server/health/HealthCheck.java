package dev.modelwatch.server.health;

import java.util.List;

/** One part of the server that reports what keeps it from working now (empty when nothing does). */
@FunctionalInterface
public interface HealthCheck {
    List<HealthProblem> problems();
}
