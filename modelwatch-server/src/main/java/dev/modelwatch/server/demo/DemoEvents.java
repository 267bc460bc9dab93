package dev.modelwatch.server.demo;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** The events the demo sends, in the public API's shapes (API.md, {@code POST /api/v1/events}). */
final class DemoEvents {
    private DemoEvents() {
    }

    /** A {@code prediction}: a missing feature is a null value of {@code features}. */
    record Prediction(String type, String model, String id, String version, long timestamp,
                      Map<String, Object> features, int prediction, double score, double latencyMs,
                      Map<String, String> segments) {
        Prediction(String model, String id, String version, long timestamp, Map<String, Object> features,
                   double score, double latencyMs, Map<String, String> segments) {
            this("prediction", model, id, version, timestamp, features, score >= 0.5 ? 1 : 0, score, latencyMs,
                    segments);
        }
    }

    /** A {@code label}: the ground truth of an earlier prediction. */
    record Label(String type, String model, String id, int label, long timestamp) {
        Label(String model, String id, int label, long timestamp) {
            this("label", model, id, label, timestamp);
        }
    }

    /** A {@code training} step or validation of a training run. */
    record Training(String type, String model, String run, int step, int epoch, long timestamp,
                    Map<String, Double> metrics) {
        Training(String model, String run, int step, int epoch, long timestamp, Map<String, Double> metrics) {
            this("training", model, run, step, epoch, timestamp, metrics);
        }
    }

    /** A {@code metric}; {@code model} is left out when null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Metric(String type, String name, double value, String model, Map<String, String> labels, long timestamp) {
        Metric(String name, double value, String model, Map<String, String> labels, long timestamp) {
            this("metric", name, value, model, labels, timestamp);
        }
    }

    /** A row of a reference data set ({@code PUT /api/v1/models/{model}/reference}). */
    record ReferenceRow(Map<String, Object> features, int prediction, int label) {
    }
}
