package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.core.rules.SeriesLabels;

/**
 * The identity of an aggregation group: the route (by {@link Route#id()}) and the values of its
 * {@code group_by} labels. Alertmanager writes it {@code routeKey:{labels}}; the route id is used here
 * so that two routes with the same matchers keep apart.
 *
 * @param routeId     {@link Route#id()} of the matched route
 * @param groupLabels the alert's labels named by the route's {@code group_by} (all of them for {@code ...})
 */
public record GroupKey(String routeId, SeriesLabels groupLabels) {
    public GroupKey {
        if (routeId == null || groupLabels == null) {
            throw new IllegalArgumentException("routeId and groupLabels must not be null");
        }
    }

    @Override
    public String toString() {
        return routeId + ":" + groupLabels;
    }
}
