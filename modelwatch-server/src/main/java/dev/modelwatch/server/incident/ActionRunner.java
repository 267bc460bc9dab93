package dev.modelwatch.server.incident;

import java.util.function.Consumer;

/** Runs an action's hook with the incident as JSON and reports how it ended ({@link ActionHooks} is the real one). */
@FunctionalInterface
public interface ActionRunner {
    /**
     * Starts {@code hook} with {@code json}; {@code done} is told the outcome once, on another thread or later.
     *
     * @param idempotencyKey the same on every attempt of this run
     */
    void run(ActionConfig.Hook hook, String idempotencyKey, byte[] json, Consumer<ActionHooks.Outcome> done);
}
