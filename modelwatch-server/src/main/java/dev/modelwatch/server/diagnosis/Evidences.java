package dev.modelwatch.server.diagnosis;

import java.util.List;

/**
 * The {@link Evidence} of each kind of cause: the windows compared, the statistics and the share of
 * the change explained. Times are RFC 3339 strings; rates and shares are fractions in 0..1.
 */
public final class Evidences {
    private Evidences() {
    }

    /**
     * A span of traffic that was compared.
     *
     * @param from    start, inclusive
     * @param to      end, exclusive
     * @param events  predictions in it
     * @param labeled of them, those whose label has arrived
     */
    public record Window(String from, String to, long events, long labeled) {
    }

    /**
     * One drifted feature.
     *
     * @param feature          its name
     * @param method           the drift criterion that decided it ({@code psi}, {@code ks}, ...)
     * @param value            the criterion's statistic
     * @param psi              its PSI, null when not computed
     * @param adjustedPValue   its test's p-value adjusted for the features tested together (BH), null when none
     * @param strength         evidence strength 0..1 (see docs/diagnosis.md)
     * @param share            its share of the input drift (importance x PSI), 0..1
     * @param driftedFromReference whether it also drifted against the model's drift reference (null without one)
     */
    public record FeatureShift(String feature, String method, Double value, Double psi, Double adjustedPValue,
                               double strength, double share, Boolean driftedFromReference) {
    }

    /**
     * Covariate drift: the baseline against the range after the onset.
     *
     * @param baseline       before the onset
     * @param current        after it
     * @param features       the drifted features, largest share first
     * @param explainedChange the share of the change in performance (or output) the input drift accounts
     *                       for: the estimated accuracy drop (from scores) over the realized drop, or 1 when
     *                       the symptom is the output itself
     * @param outputPsi      the PSI of the model's score (or prediction) between the two, null when none
     */
    public record CovariateDrift(Window baseline, Window current, List<FeatureShift> features, double explainedChange,
                                 Double outputPsi) implements Evidence {
    }

    /**
     * One data-quality issue of a feature.
     *
     * @param issue     {@code missing_rate}, {@code type_mismatch}, {@code non_finite}, {@code new_category},
     *                  {@code out_of_range}, {@code schema}, {@code constant}, {@code score_out_of_range}
     * @param baseline  its measure before the onset (null when none)
     * @param current   after it
     * @param message   what the check saw, with its counts
     */
    public record QualityIssue(String issue, Double baseline, Double current, String message) {
    }

    /**
     * A data pipeline fault in one feature.
     *
     * @param baseline    before the onset
     * @param current     after it
     * @param feature     the feature
     * @param issues      its issues
     * @param series      the metric whose per-step series measured the abruptness
     * @param startedAt   the step at which the series jumped
     * @param abruptness  the largest two-step jump over the whole rise, 0..1 (1: a step)
     * @param otherFeatures the other features with issues in the same range
     */
    public record DataQuality(Window baseline, Window current, String feature, List<QualityIssue> issues,
                              String series, String startedAt, double abruptness, List<String> otherFeatures)
            implements Evidence {
    }

    /**
     * Concept drift: performance fell while the inputs do not account for it.
     *
     * @param metric          {@code accuracy} (classification) or {@code rmse_ratio} (regression)
     * @param before          the metric before the onset
     * @param after           after it
     * @param drop            the drop (before minus after; for RMSE, the ratio minus 1)
     * @param pValue          one-sided p-value of a drop this large between two samples of one distribution
     * @param estimatedDrop   the drop the model's own scores predict (the inputs' share), null when none
     * @param explainedElsewhere the share taken by other causes (inputs, label shift, version, segment)
     */
    public record ConceptDrift(Window baseline, Window current, String metric, Double before, Double after,
                               double drop, double pValue, Double estimatedDrop, double explainedElsewhere)
            implements Evidence {
    }

    /**
     * Label or prior shift: the class balance of the labels moved more than the model's outputs.
     *
     * @param className       the class whose share moved most
     * @param labelShareBefore its share of the labels before the onset
     * @param labelShareAfter after it
     * @param expectedShift   the shift the model's outputs account for (mean score or predicted share)
     * @param unexplained     the labels' shift that the expected shift does not account for (at most the labels' shift)
     * @param pValue          two-sided p-value of the unexplained shift (normal approximation of two proportions)
     * @param source          {@code labels}, or {@code predictions} when no label has arrived
     */
    public record LabelShift(Window baseline, Window current, String className, double labelShareBefore,
                             double labelShareAfter, double expectedShift, double unexplained, double pValue,
                             String source) implements Evidence {
    }

    /**
     * One segment value's part of the change.
     *
     * @param segment      {@code key=value}
     * @param trafficShare its share of the events after the onset
     * @param changeShare  its share of the change (excess errors, or shift of the feature)
     * @param before       its metric before the onset
     * @param after        after it
     */
    public record SegmentPart(String segment, double trafficShare, double changeShare, Double before, Double after) {
    }

    /**
     * A change concentrated in one segment value.
     *
     * @param symptom       what was localized: {@code accuracy} or {@code feature:<name>} (its mean)
     * @param concentration (change share minus traffic share) over (1 minus traffic share), 0..1
     * @param pValue        the segment's own test of its change
     * @param segments      every value of the segment's key, largest change share first
     */
    public record Segment(Window baseline, Window current, String symptom, double concentration, double pValue,
                          List<SegmentPart> segments) implements Evidence {
    }

    /**
     * One version's metrics over the same period.
     *
     * @param version     the version
     * @param events      its predictions over the period
     * @param labeled     of them labelled
     * @param accuracy    its accuracy (null without labels)
     * @param errorRate   its share of failed inferences
     * @param latencyP95Ms its 95th percentile latency (null without latencies)
     * @param firstSeen   its first prediction in the range examined (null when before it)
     */
    public record VersionMetrics(String version, long events, long labeled, Double accuracy, double errorRate,
                                 Double latencyP95Ms, String firstSeen) {
    }

    /**
     * A version regression: the new version against the others over the same period (or, when it took
     * all traffic, against the traffic before the onset).
     *
     * @param comparedWith  {@code same_period} or {@code before_onset}
     * @param period        the period compared
     * @param regressed     the new version's metrics
     * @param others        the other versions' (merged) metrics
     * @param accuracyDrop  others' accuracy minus the new version's (null without labels)
     * @param pValue        one-sided p-value of the drop (Fisher's exact test), or of the error rate rise
     * @param onsetGapSeconds seconds between the version's first traffic and the onset
     * @param timing        1 when the first traffic matches the onset, decaying with the gap
     * @param share         the version's share of the excess errors of the range
     */
    public record VersionRegression(String comparedWith, Window period, VersionMetrics regressed, VersionMetrics others,
                                    Double accuracyDrop, double pValue, long onsetGapSeconds, double timing,
                                    double share) implements Evidence {
    }

    /**
     * A resource or traffic series against the serving symptoms.
     *
     * @param metric      the agent's metric ({@code host_cpu_utilization}, {@code gpu_memory_used_bytes}, ... of
     *                    {@code ResourceMetrics.LOADS}, as a percent) or {@code traffic} (events per step)
     * @param host        the host it was measured on, null for traffic
     * @param device      the GPU ({@code gpu=0}) or process ({@code pid=42}) of the host, null for the host itself
     * @param before      its mean before the onset
     * @param after       its mean after it
     * @param saturated   the share of steps after the onset at or above 90% (utilization), null for traffic
     * @param correlation Pearson correlation of its per-step series with the symptom's
     */
    public record ResourceSeries(String metric, String host, String device, double before, double after, Double saturated,
                                 double correlation) {
    }

    /**
     * Infrastructure: latency or errors moved with a host's saturation or with traffic volume.
     *
     * @param symptom        {@code latency_p95_ms} or {@code error_rate}
     * @param before         the symptom before the onset
     * @param after          after it
     * @param symptomStrength how strongly the symptom moved, 0..1
     * @param stepSeconds    the step of the series correlated
     * @param resources      the series examined, best associated first
     */
    public record Infrastructure(Window baseline, Window current, String symptom, double before, double after,
                                 double symptomStrength, long stepSeconds, List<ResourceSeries> resources)
            implements Evidence {
    }

    /**
     * One problem a training run's detectors found.
     *
     * @param kind     {@code nan_loss}, {@code divergence}, ...
     * @param severity {@code critical} or {@code warning}
     * @param step     the step it was found at
     * @param metric   the metric that shows it
     * @param message  what happened
     */
    public record RunProblem(String kind, String severity, long step, String metric, String message) {
    }

    /**
     * Training: the run's detected problems, for alerts on the run or for a production version it produced.
     *
     * @param run         the training run
     * @param status      its status
     * @param version     the production version that names it, null for alerts on the run itself
     * @param problems    its problems
     * @param versionScore the version regression score combined with it (noisy-or), null when none
     */
    public record Training(String run, String status, String version, List<RunProblem> problems, Double versionScore)
            implements Evidence {
    }
}
