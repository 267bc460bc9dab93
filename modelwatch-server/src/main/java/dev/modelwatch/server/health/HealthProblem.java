package dev.modelwatch.server.health;

/**
 * Something that keeps a part of the server from doing its work, as {@code /readyz} names it.
 *
 * @param component what is affected: a worker, {@code ingest log}, {@code storage}, {@code pending-row store},
 *                  or {@code model NAME}
 * @param problem   what is wrong, for a person
 * @param blocking  true when the server as a whole cannot do its work (not ready, 503); false when
 *                  it works but part of it does not (degraded, still 200)
 */
public record HealthProblem(String component, String problem, boolean blocking) {
    public static HealthProblem blocking(String component, String problem) {
        return new HealthProblem(component, problem, true);
    }

    public static HealthProblem degraded(String component, String problem) {
        return new HealthProblem(component, problem, false);
    }
}
