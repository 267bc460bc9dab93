/**
 * Routing, grouping and notification scheduling, as Alertmanager's {@code dispatch} and dedup stage,
 * as pure values: the routing tree ({@link dev.modelwatch.server.alert.dispatch.RouteConfig} as
 * written, {@link dev.modelwatch.server.alert.dispatch.Route} resolved with inheritance),
 * {@link dev.modelwatch.server.alert.dispatch.AggregationGroup} (when to flush, what to notify,
 * escalation), {@link dev.modelwatch.server.alert.dispatch.DedupStage#needsUpdate} and the
 * {@link dev.modelwatch.server.alert.dispatch.Dispatcher} that mutes, routes and ticks groups.
 * {@link dev.modelwatch.server.alert.dispatch.Muter} is the interface silences and inhibitions
 * implement. No timers or threads: the caller passes the time and keeps the returned values.
 */
package dev.modelwatch.server.alert.dispatch;
