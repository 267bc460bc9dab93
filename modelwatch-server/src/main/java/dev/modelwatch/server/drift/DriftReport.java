package dev.modelwatch.server.drift;

import dev.modelwatch.core.drift.DriftPolicy;
import dev.modelwatch.core.drift.DriftShare;
import dev.modelwatch.core.drift.FeatureDrift;
import dev.modelwatch.core.drift.FeatureDriftAnalysis;
import dev.modelwatch.core.drift.Reference;
import dev.modelwatch.core.drift.multivariate.CoMoments;
import dev.modelwatch.core.drift.multivariate.MultivariateDriftResult;
import dev.modelwatch.core.drift.multivariate.PcaReconstructionModel;
import dev.modelwatch.core.estimate.Calibrator;
import dev.modelwatch.core.estimate.ConfidenceProfile;
import dev.modelwatch.core.estimate.EstimatedPerformance;
import dev.modelwatch.core.estimate.PerformanceEstimator;
import dev.modelwatch.core.metrics.ClassificationMetrics;
import dev.modelwatch.core.metrics.MetricCatalog;
import dev.modelwatch.core.metrics.PerformanceChange;
import dev.modelwatch.core.metrics.RegressionMetrics;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.core.quality.DataQualityCheck;
import dev.modelwatch.core.quality.DataQualityMetrics;
import dev.modelwatch.core.quality.DataQualityIssue;
import dev.modelwatch.core.quality.DataQualityPolicy;
import dev.modelwatch.core.quality.ProfiledWindow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every drift number of a current profile against a reference. */
public record DriftReport(Map<String, FeatureDrift> features, FeatureDrift output, FeatureDrift score,
                          FeatureDrift label, DriftShare share, List<DataQualityIssue> dataQuality,
                          MultivariateDriftResult multivariate, String multivariateReason,
                          EstimatedPerformance estimated, String estimatedReason, String calibration,
                          Map<String, Double> realized, ProfiledWindow referenceWindow, ProfiledWindow currentWindow,
                          Map<String, Double> againstReference, MultipleTestingSummary multipleTesting, long labeled) {

    public static DriftReport of(ModelSpec spec, Reference ref, WindowProfile current, DriftPolicy policy,
                                 Map<String, Double> importances) {
        WindowProfile rp = ref.profile();
        Map<String, FeatureDrift> features = FeatureDriftAnalysis.ofAll(rp.features(), current.features(), policy);
        FeatureDrift output = drift("prediction", rp.output(), current.output(), policy);
        FeatureDrift score = drift("score", rp.score(), current.score(), policy);
        FeatureDrift label = drift("label", rp.label(), current.label(), policy);
        Map<String, Double> weights = importances.isEmpty() ? ref.featureImportances() : importances;
        DriftShare share = DriftShare.of(features.values(), weights.isEmpty() ? null : weights);
        ProfiledWindow refWindow = ProfiledWindow.of(rp);
        ProfiledWindow curWindow = ProfiledWindow.of(current);
        List<DataQualityIssue> quality = DataQualityCheck.compare(refWindow, curWindow, DataQualityPolicy.DEFAULT);
        MultivariateDriftResult mv = null;
        String mvReason = null;
        PcaReconstructionModel model = ref.multivariate();
        CoMoments window = current.numericCoMoments();
        if (model == null) {
            mvReason = "the reference has fewer than two numerical features";
        } else if (window == null) {
            mvReason = "no numerical feature values in the range";
        } else {
            mv = model.evaluate(window.select(model.featureNames()));
        }
        EstimatedPerformance est = null;
        String estReason = null;
        String calibration = null;
        ConfidenceProfile conf = current.confidence();
        if (spec.task() == ModelTask.REGRESSION) {
            estReason = "performance is estimated for classifiers with probability scores";
        } else if (conf == null) {
            estReason = current.confidenceMixed() ? "the range mixes windows with different class lists"
                    : "no scored predictions in the range";
        } else if (conf.isBinary()) {
            Calibrator c = ref.calibrators().get(spec.positiveClass());
            calibration = c == null ? "none: scores taken as calibrated probabilities" : "isotonic, fitted on "
                    + c.referenceCount() + " labelled reference rows";
            est = PerformanceEstimator.binaryAsPredicted(conf, c == null ? Calibrator.identity() : c);
        } else {
            Map<String, Calibrator> cs = new TreeMap<>();
            for (String cl : conf.classes()) {
                cs.put(cl, ref.calibrators().getOrDefault(cl, Calibrator.identity()));
            }
            calibration = ref.calibrators().isEmpty() ? "none: scores taken as calibrated probabilities"
                    : "isotonic one-vs-rest, fitted on labelled reference rows";
            est = PerformanceEstimator.multiclass(conf, cs);
        }
        Map<String, Double> realized = new LinkedHashMap<>();
        if (spec.task() != ModelTask.REGRESSION && current.labeled() > 0) {
            ClassificationMetrics c = ClassificationMetrics.of(current, spec);
            realized.put(EstimatedPerformance.ACCURACY, c.accuracy());
            realized.put(EstimatedPerformance.PRECISION, c.precision());
            realized.put(EstimatedPerformance.RECALL, c.recall());
            realized.put(EstimatedPerformance.F1, c.f1());
            realized.put(EstimatedPerformance.ROC_AUC, c.rocAuc());
        }
        return new DriftReport(features, output, score, label, share, quality, mv, mvReason, est, estReason, calibration,
                realized, refWindow, curWindow, againstReference(spec, ref, current, est),
                MultipleTestingSummary.of(features.values(), policy), current.labeled());
    }

    /**
     * Performance against the reference's own ({@link PerformanceChange}): {@code accuracy_drop} and
     * {@code f1_drop} (reference minus current, labelled windows), {@code rmse_ratio} (current over
     * reference), and {@code estimated_accuracy_drop} (the reference's accuracy — realized when it was
     * labelled, else estimated from its scores — minus the window's estimate), each with its one-sided
     * p-value ({@code <series>_p_value}): how often two samples of one distribution differ that much.
     */
    private static Map<String, Double> againstReference(ModelSpec spec, Reference ref, WindowProfile current,
                                                        EstimatedPerformance est) {
        Map<String, Double> out = new LinkedHashMap<>();
        WindowProfile rp = ref.profile();
        if (spec.task() == ModelTask.REGRESSION) {
            if (rp.labeled() > 0 && current.labeled() > 0) {
                put(out, "rmse_ratio", PerformanceChange.rmseRatio(RegressionMetrics.of(rp),
                        RegressionMetrics.of(current)));
            }
            return out;
        }
        ClassificationMetrics r = rp.labeled() > 0 ? ClassificationMetrics.of(rp, spec) : null;
        ClassificationMetrics c = current.labeled() > 0 ? ClassificationMetrics.of(current, spec) : null;
        if (r != null && c != null) {
            put(out, "accuracy_drop", PerformanceChange.accuracyDrop(r, c));
            put(out, "f1_drop", PerformanceChange.f1Drop(r, c, spec));
        }
        Double refAccuracy = r != null ? r.accuracy() : null;
        double refSd = refAccuracy == null ? Double.NaN
                : Math.sqrt(refAccuracy * (1 - refAccuracy) / Math.max(1, r.labeled()));
        if (refAccuracy == null && rp.confidence() != null && rp.confidence().isBinary()) {
            Calibrator cal = ref.calibrators().get(spec.positiveClass());
            EstimatedPerformance.Estimate own = PerformanceEstimator.binaryAsPredicted(rp.confidence(),
                    cal == null ? Calibrator.identity() : cal).estimate(EstimatedPerformance.ACCURACY);
            refAccuracy = own == null ? null : own.value();
            refSd = own == null ? Double.NaN : own.sd();
        }
        EstimatedPerformance.Estimate estimated = est == null ? null : est.estimate(EstimatedPerformance.ACCURACY);
        if (refAccuracy != null && estimated != null) {
            put(out, "estimated_accuracy_drop", PerformanceChange.estimatedDrop(refAccuracy, refSd,
                    estimated.value(), estimated.sd()));
        }
        return out;
    }

    private static void put(Map<String, Double> out, String name, PerformanceChange change) {
        if (change != null) {
            out.put(name, change.change());
            out.put(name + "_p_value", change.pValue());
        }
    }

    private static FeatureDrift drift(String name, FeatureProfile ref, FeatureProfile cur, DriftPolicy policy) {
        return ref == null && cur == null ? null : FeatureDriftAnalysis.of(name, ref, cur, policy);
    }

    /** The report as the drift answer shows it. */
    public DriftReportAnswer answer() {
        return new DriftReportAnswer(DriftReportAnswer.FeatureDriftAnswer.ofAll(features), share, multipleTesting,
                new DriftReportAnswer.OutputDrift(DriftReportAnswer.FeatureDriftAnswer.of(output),
                        DriftReportAnswer.FeatureDriftAnswer.of(score)),
                DriftReportAnswer.FeatureDriftAnswer.of(label),
                DriftReportAnswer.Multivariate.of(multivariate, multivariateReason), dataQuality,
                DriftReportAnswer.estimated(estimated, estimatedReason, calibration, realized,
                        labeled));
    }

    /** The values of the requested drift series; a value that cannot be computed is left out. */
    List<MetricCatalog.MetricValue> metricValues(java.util.Collection<String> names) {
        List<MetricCatalog.MetricValue> out = new ArrayList<>();
        for (FeatureDrift d : features.values()) {
            Map<String, String> labels = Map.of("feature", d.feature());
            var s = d.statistics();
            addStat(out, names, "drift_psi", labels, s.psi());
            addStat(out, names, "drift_ks_statistic", labels, s.ksStatistic());
            addStat(out, names, "drift_ks_p_value", labels, s.ksPValue());
            addStat(out, names, "drift_wasserstein", labels, s.wasserstein());
            addStat(out, names, "drift_js_distance", labels, s.jsDistance());
            addStat(out, names, "drift_chi2_p_value", labels, s.chi2PValue());
            if (names.contains("drift_detected")) {
                out.add(new MetricCatalog.MetricValue("drift_detected", labels, d.drifted() ? 1 : 0));
            }
        }
        addFlag(out, names, "output_drift_detected", output);
        addFlag(out, names, "score_drift_detected", score);
        addFlag(out, names, "label_drift_detected", label);
        if (share.share() != null) {
            addStat(out, names, "drift_share", Map.of(), share.share());
        }
        if (share.weightedShare() != null) {
            addStat(out, names, "drift_share_weighted", Map.of(), share.weightedShare());
        }
        if (multivariate != null) {
            addStat(out, names, "multivariate_drift_error", Map.of(), multivariate.reconstructionError());
            if (multivariate.drifted() != null) {
                addStat(out, names, "multivariate_drift_detected", Map.of(), multivariate.drifted() ? 1.0 : 0.0);
            }
        }
        if (names.contains("data_quality_issues")) {
            Map<String, Integer> byKind = new TreeMap<>();
            for (DataQualityIssue i : dataQuality) {
                byKind.merge(i.issue().wireName(), 1, Integer::sum);
            }
            byKind.forEach((k, n) -> out.add(new MetricCatalog.MetricValue("data_quality_issues", Map.of("issue", k), n)));
        }
        for (MetricCatalog.MetricValue v : DataQualityMetrics.metrics(referenceWindow, currentWindow)) {
            // missing_rate is one of MetricCatalog's own series
            if (names.contains(v.name()) && !v.name().equals("missing_rate") && Double.isFinite(v.value())) {
                out.add(v);
            }
        }
        againstReference.forEach((k, v) -> addStat(out, names, k, Map.of(), v));
        if (estimated != null) {
            for (String k : List.of("accuracy", "precision", "recall", "f1", "roc_auc")) {
                Double v = estimated.value(k);
                addStat(out, names, "estimated_" + k, Map.of(), v);
            }
        }
        return out;
    }

    private static void addFlag(List<MetricCatalog.MetricValue> out, java.util.Collection<String> names, String name,
                                FeatureDrift d) {
        if (d != null && names.contains(name)) {
            out.add(new MetricCatalog.MetricValue(name, Map.of(), d.drifted() ? 1 : 0));
        }
    }

    private static void addStat(List<MetricCatalog.MetricValue> out, java.util.Collection<String> names, String name,
                                Map<String, String> labels, Number value) {
        if (names.contains(name) && value != null && Double.isFinite(value.doubleValue())) {
            out.add(new MetricCatalog.MetricValue(name, labels, value.doubleValue()));
        }
    }
}
