package dev.modelwatch.server.diagnosis;

/**
 * The numbers behind a {@link Cause}: each kind of cause has its own record (the windows compared,
 * the statistics, the share of the change explained), serialized by Jackson as a JSON object.
 */
public interface Evidence {
}
