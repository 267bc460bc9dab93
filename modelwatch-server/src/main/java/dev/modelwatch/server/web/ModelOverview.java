package dev.modelwatch.server.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One model's row of the dashboard's overview.
 *
 * @param health            {@code ok}, {@code warning} or {@code critical}, from its firing alerts
 * @param trafficLastHour   predictions in the last hour
 * @param keyMetric         the metric the row shows: {@code accuracy}, {@code estimated_accuracy} (no
 *                          labels in the last hour yet) or {@code rmse}
 * @param keyValue          its value over the last hour; null when it cannot be computed
 * @param sparkline         the key metric per step over the last hour, {@code [epoch_ms, value]}
 * @param driftShare        the share of features drifted in the last hour; null without a reference or traffic
 * @param firingAlerts      how many of its alerts fire
 * @param lastEvent         the time of its newest prediction (RFC 3339), null before the first
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelOverview(String name, String task, List<String> versions, String health, long trafficLastHour,
                            String keyMetric, Double keyValue, List<double[]> sparkline, Double driftShare,
                            int firingAlerts, String lastEvent) {
}
