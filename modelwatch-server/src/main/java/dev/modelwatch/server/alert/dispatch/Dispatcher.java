package dev.modelwatch.server.alert.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The routing and grouping stage as a pure value (Alertmanager's {@code dispatch.Dispatcher} without
 * goroutines): alerts come in with {@link #ingest}, are muted or routed into
 * {@link AggregationGroup}s keyed by route and {@code group_by} values, and {@link #tick} flushes the
 * groups that are due. Immutable: each call returns the next dispatcher.
 *
 * <p><b>Muting.</b> Each incoming alert is first offered to the muters in order (for example
 * {@code "silenced" → Silencer}, {@code "inhibited" → Inhibitor}); the first that mutes it names the
 * reason it is counted under ({@link #mutedCounts()}, per reason, each muted update counted once), and
 * the alert is dropped before grouping: removed from the groups that hold it, without a resolution
 * (its receiver is not told it resolved; it is notified as new if it comes back unmuted and firing).
 *
 * <p><b>Routing.</b> A firing alert joins the group of every route it {@linkplain Route#match matches}
 * (created on first use, flushing {@code group_wait} later); a resolved alert updates the groups that
 * hold it and creates none (a group that never saw it firing has nothing to tell).
 *
 * <p><b>Storage</b>: {@link StoredDispatcher} (groups whose route no longer exists in the new tree
 * are dropped).
 *
 * <p>Usage:
 * <pre>{@code
 * Dispatcher d = Dispatcher.create(tree);
 * Map<String, Muter> muters = new LinkedHashMap<>();
 * muters.put("silenced", silencer);
 * muters.put("inhibited", Inhibitor.of(inhibitRules, alerts));
 * d = d.ingest(alerts, muters, nowMs);
 * // at or after d.nextWakeAtMs():
 * Dispatcher.Tick t = d.tick(nowMs, receiver -> sendsResolved(receiver));
 * t.notifications().forEach(notifier::send);
 * d = t.dispatcher();
 * }</pre>
 *
 * @param root        the routing tree
 * @param groups      the aggregation groups by key
 * @param mutedCounts how many alert updates each mute reason dropped, since creation
 */
public record Dispatcher(Route root, Map<GroupKey, AggregationGroup> groups, Map<String, Long> mutedCounts) {
    /**
     * What a {@link #tick} produced.
     *
     * @param dispatcher    the dispatcher to keep
     * @param notifications what to send, group by group
     */
    public record Tick(Dispatcher dispatcher, List<Notification> notifications) {
        public Tick {
            notifications = List.copyOf(notifications);
        }
    }

    public Dispatcher {
        if (root == null) {
            throw new IllegalArgumentException("root must not be null");
        }
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups == null ? Map.of() : groups));
        mutedCounts = Collections.unmodifiableMap(new TreeMap<>(mutedCounts == null ? Map.of() : mutedCounts));
    }

    /** A dispatcher with no groups. */
    public static Dispatcher create(Route root) {
        return new Dispatcher(root, Map.of(), Map.of());
    }

    /** {@link #ingest(Collection, Map, long)} without muting. */
    public Dispatcher ingest(Collection<Alert> alerts, long nowMs) {
        return ingest(alerts, Map.of(), nowMs);
    }

    /**
     * Routes {@code alerts} (new or updated) at {@code nowMs}, after offering each to {@code muters}
     * in iteration order (a {@link LinkedHashMap} keeps it; the key is the reason counted).
     */
    public Dispatcher ingest(Collection<Alert> alerts, Map<String, Muter> muters, long nowMs) {
        Map<GroupKey, AggregationGroup> g = new LinkedHashMap<>(groups);
        Map<String, Long> counts = new TreeMap<>(mutedCounts);
        // inserts are collected per group and applied with one copy of the group (thousands of alerts
        // of one group cost one copy, not one each), before any removal from that group and at the end
        Map<GroupKey, List<Alert>> inserts = new LinkedHashMap<>();
        Map<GroupKey, Route> routes = new HashMap<>();
        for (Alert a : alerts) {
            String mutedBy = null;
            for (Map.Entry<String, Muter> m : muters.entrySet()) {
                if (m.getValue().mutes(a.labels(), nowMs)) {
                    mutedBy = m.getKey();
                    break;
                }
            }
            for (Route r : root.match(a.labels())) {
                GroupKey key = r.groupKey(a.labels());
                if (mutedBy != null) {
                    applyInserts(g, inserts, routes, key, nowMs);
                    AggregationGroup group = g.get(key);
                    if (group != null) {
                        AggregationGroup left = group.remove(a.fingerprint());
                        if (left.isEmpty()) {
                            g.remove(key);
                        } else {
                            g.put(key, left);
                        }
                    }
                    continue;
                }
                if (g.get(key) == null && !inserts.containsKey(key) && a.resolvedAt(nowMs)) {
                    continue;
                }
                inserts.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
                routes.putIfAbsent(key, r);
            }
            if (mutedBy != null) {
                counts.merge(mutedBy, 1L, Long::sum);
            }
        }
        for (GroupKey key : new ArrayList<>(inserts.keySet())) {
            applyInserts(g, inserts, routes, key, nowMs);
        }
        return new Dispatcher(root, g, counts);
    }

    private static void applyInserts(Map<GroupKey, AggregationGroup> g, Map<GroupKey, List<Alert>> inserts,
                                     Map<GroupKey, Route> routes, GroupKey key, long nowMs) {
        List<Alert> added = inserts.remove(key);
        if (added == null) {
            return;
        }
        AggregationGroup group = g.get(key);
        if (group == null) {
            group = AggregationGroup.create(key, routes.get(key).options(), nowMs);
        }
        g.put(key, group.insertAll(added, nowMs));
    }

    /** The earliest {@link AggregationGroup#nextWakeAtMs()}, or {@link Long#MAX_VALUE} without groups. */
    public long nextWakeAtMs() {
        long wake = Long.MAX_VALUE;
        for (AggregationGroup g : groups.values()) {
            wake = Math.min(wake, g.nextWakeAtMs());
        }
        return wake;
    }

    /**
     * Ticks every group due at {@code nowMs} and drops the groups left empty.
     *
     * @param sendsResolved whether a receiver (by name) wants resolved notifications
     */
    public Tick tick(long nowMs, Predicate<String> sendsResolved) {
        Map<GroupKey, AggregationGroup> g = new LinkedHashMap<>();
        List<Notification> out = new ArrayList<>();
        for (Map.Entry<GroupKey, AggregationGroup> e : groups.entrySet()) {
            AggregationGroup group = e.getValue();
            if (nowMs >= group.nextWakeAtMs()) {
                AggregationGroup.Flush f = group.tick(nowMs, sendsResolved.test(group.options().receiver()));
                out.addAll(f.notifications());
                group = f.group();
            }
            if (!group.isEmpty()) {
                g.put(e.getKey(), group);
            }
        }
        return new Tick(new Dispatcher(root, g, mutedCounts), out);
    }

    /** The total muted count over all reasons. */
    public long mutedTotal() {
        long total = 0;
        for (long c : mutedCounts.values()) {
            total += c;
        }
        return total;
    }
}
