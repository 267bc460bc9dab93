package dev.modelwatch.server.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** {@code GET /api/v1/dashboard/overview}: every model's row, in name order, as of {@code at}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Overview(String at, List<ModelOverview> models) {
}
