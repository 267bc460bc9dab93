package dev.modelwatch.server.diagnosis;

/**
 * Finds the probable causes of a model's trouble over a time range, ranked best first.
 *
 * <p>Incidents call it when they open and whenever their alerts change; {@code modelwatch diagnose}
 * calls it for any past range. Implementations read what the server already keeps (window profiles,
 * drift reports, segment and version profiles, resource series, training runs); they never write.
 */
public interface Diagnoser {
    /**
     * @param request the model, the range to explain and the onset of the trouble
     * @return the causes found, best first; an empty list of causes when nothing explains the range
     */
    Diagnosis diagnose(DiagnosisRequest request);
}
