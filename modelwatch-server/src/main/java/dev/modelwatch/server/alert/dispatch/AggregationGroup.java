package dev.modelwatch.server.alert.dispatch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One aggregation group (the alerts of one route with the same {@code group_by} values) and its
 * notification schedule: a pure, immutable value that decides <em>when</em> to flush and <em>what</em>
 * to notify, given alerts and the time. No timers, no threads: the owner calls {@link #tick} at or
 * after {@link #nextWakeAtMs()} and keeps the returned group.
 *
 * <p><b>When</b> (Alertmanager's {@code aggrGroup}):
 * <ul>
 *   <li>a new group first flushes {@code group_wait} after it was created, or at once when an alert
 *       inserted before that first flush started more than {@code group_wait} ago (an old alert, a
 *       restart);</li>
 *   <li>after each flush the next is {@code group_interval} later, whether anything was sent or not;
 *       changes between flushes wait for it;</li>
 *   <li>an unchanged group is sent again when a flush finds the last notification strictly older than
 *       {@code repeat_interval} (so repeats fall on flush times: with 5m / 4h, at 4h05m).</li>
 * </ul>
 * <b>What</b>: at a flush, {@link DedupStage#needsUpdate} compares the firing and resolved alerts with
 * {@link #lastNotified()}; a notification holds every firing and resolved alert of the group. After a
 * flush the resolved alerts are removed from the group (they were notified, or need not be); a group
 * left without alerts is {@linkplain #isEmpty() empty} and its owner drops it.
 *
 * <p><b>Escalation</b> (a route's {@code escalate: {after, receiver}}): the first notification telling
 * the receiver an alert fires is its notice time; a firing, unacknowledged alert whose notice is
 * {@code after} old is escalated: one notification of the group's firing alerts to the escalation
 * receiver ({@link NotifyReason#ESCALATION}), at the first tick at or after the due time (escalation
 * due times are part of {@link #nextWakeAtMs()}). An alert escalates once per episode (its
 * {@code startsAt}); it may escalate again only after it resolved and fired again.
 *
 * <p><b>Delivery failures</b>: the group returned by {@link #tick} assumes the notifications were
 * delivered. An owner that fails to deliver may keep the previous group and tick it again (the same
 * notifications are computed again, since nothing was logged).
 *
 * <p><b>Storage</b>: {@link StoredDispatcher.Group}; the options are not stored but taken from the
 * current configuration's route with the key's route id.
 *
 * @param key           the route and group labels
 * @param options       the route's options
 * @param alerts        the group's alerts by fingerprint (unsigned fingerprint order)
 * @param nextFlushAtMs when the next flush is due
 * @param hasFlushed    whether the group flushed at least once
 * @param lastNotified  what its receiver was last told, null if never
 * @param notices       per firing alert: its episode and when its first notification was sent, and
 *                      whether it was escalated
 */
public record AggregationGroup(GroupKey key, RouteOptions options, Map<Long, Alert> alerts, long nextFlushAtMs,
        boolean hasFlushed, NotificationLogEntry lastNotified, Map<Long, Notice> notices) {

    /**
     * When an alert's episode was first notified, and whether it has been escalated.
     *
     * @param startsAtMs       the episode ({@link Alert#startsAtMs()}) this notice is about
     * @param firstNotifiedMs  when the receiver was first told it fires
     * @param escalated        whether it was escalated
     */
    public record Notice(long startsAtMs, long firstNotifiedMs, boolean escalated) {
    }

    /**
     * What a {@link #tick} produced.
     *
     * @param group         the group to keep
     * @param notifications what to send, in order (the group's receiver first, then an escalation)
     */
    public record Flush(AggregationGroup group, List<Notification> notifications) {
        public Flush {
            notifications = List.copyOf(notifications);
        }
    }

    public AggregationGroup {
        if (key == null || options == null) {
            throw new IllegalArgumentException("key and options must not be null");
        }
        alerts = sortedCopy(alerts);
        notices = sortedCopy(notices);
    }

    private static <V> Map<Long, V> sortedCopy(Map<Long, V> m) {
        Map<Long, V> out = new TreeMap<>(Long::compareUnsigned);
        if (m != null) {
            out.putAll(m);
        }
        return Collections.unmodifiableMap(out);
    }

    /** A new, empty group created at {@code nowMs}: its first flush is due {@code group_wait} later. */
    public static AggregationGroup create(GroupKey key, RouteOptions options, long nowMs) {
        return new AggregationGroup(key, options, Map.of(), nowMs + options.groupWaitMs(), false, null, Map.of());
    }

    /** The group with {@code alert} added or updated (same fingerprint) at {@code nowMs}. */
    public AggregationGroup insert(Alert alert, long nowMs) {
        return insertAll(java.util.List.of(alert), nowMs);
    }

    /** The group with {@code added} inserted in order, as many {@link #insert}s would, copying the group once. */
    public AggregationGroup insertAll(java.util.Collection<Alert> added, long nowMs) {
        Map<Long, Alert> m = new LinkedHashMap<>(alerts);
        long next = nextFlushAtMs;
        for (Alert alert : added) {
            m.put(alert.fingerprint(), alert);
            if (!hasFlushed && alert.startsAtMs() + options.groupWaitMs() < nowMs) {
                next = Math.min(next, nowMs);
            }
        }
        return new AggregationGroup(key, options, m, next, hasFlushed, lastNotified, notices);
    }

    /**
     * The group without the alert {@code fingerprint} (muted: dropped without a resolution). It is also
     * forgotten by the notification log, so that it is notified as new if it comes back firing.
     */
    public AggregationGroup remove(long fingerprint) {
        if (!alerts.containsKey(fingerprint)) {
            return this;
        }
        Map<Long, Alert> m = new LinkedHashMap<>(alerts);
        m.remove(fingerprint);
        Map<Long, Notice> n = new LinkedHashMap<>(notices);
        n.remove(fingerprint);
        NotificationLogEntry log = lastNotified;
        if (log != null && (log.firing().contains(fingerprint) || log.resolved().contains(fingerprint))) {
            Set<Long> firing = new LinkedHashSet<>(log.firing());
            firing.remove(fingerprint);
            Set<Long> resolved = new LinkedHashSet<>(log.resolved());
            resolved.remove(fingerprint);
            log = new NotificationLogEntry(firing, resolved, log.timestampMs());
        }
        return new AggregationGroup(key, options, m, nextFlushAtMs, hasFlushed, log, n);
    }

    /** Whether the group holds no alert (its owner may drop it). */
    public boolean isEmpty() {
        return alerts.isEmpty();
    }

    /** When {@link #tick} next has something to do: the next flush, or an escalation falling due before it. */
    public long nextWakeAtMs() {
        long wake = nextFlushAtMs;
        if (options.escalation() != null) {
            for (Alert a : alerts.values()) {
                Notice n = notices.get(a.fingerprint());
                if (a.resolvedAtMs() == null && !a.acknowledged() && n != null && !n.escalated && n.startsAtMs == a.startsAtMs()) {
                    wake = Math.min(wake, n.firstNotifiedMs + options.escalation().afterMs());
                }
            }
        }
        return wake;
    }

    /**
     * Does what is due at {@code nowMs}: the flush when {@code nowMs >= nextFlushAtMs}, then any
     * escalation that fell due. Calling it earlier than {@link #nextWakeAtMs()} changes nothing.
     *
     * @param sendResolved whether the group's receiver wants resolved notifications
     */
    public Flush tick(long nowMs, boolean sendResolved) {
        List<Notification> out = new ArrayList<>();
        AggregationGroup g = nowMs >= nextFlushAtMs ? flush(nowMs, sendResolved, out) : this;
        g = g.escalate(nowMs, out);
        return new Flush(g, out);
    }

    private AggregationGroup flush(long now, boolean sendResolved, List<Notification> out) {
        long next = now + options.groupIntervalMs();
        if (alerts.isEmpty()) {
            return new AggregationGroup(key, options, alerts, next, true, lastNotified, notices);
        }
        List<Alert> firing = new ArrayList<>();
        List<Alert> resolved = new ArrayList<>();
        Set<Long> firingFps = new LinkedHashSet<>();
        Set<Long> resolvedFps = new LinkedHashSet<>();
        for (Alert a : alerts.values()) {
            if (a.resolvedAt(now)) {
                resolved.add(a);
                resolvedFps.add(a.fingerprint());
            } else {
                firing.add(a);
                firingFps.add(a.fingerprint());
            }
        }
        NotifyReason reason = DedupStage.needsUpdate(lastNotified, firingFps, resolvedFps, options.repeatIntervalMs(),
                sendResolved, now);
        NotificationLogEntry log = lastNotified;
        Map<Long, Notice> n = new LinkedHashMap<>();
        for (Alert a : firing) {
            Notice prev = notices.get(a.fingerprint());
            if (prev != null && prev.startsAtMs == a.startsAtMs()) {
                n.put(a.fingerprint(), prev);
            } else if (reason.shouldNotify()) {
                n.put(a.fingerprint(), new Notice(a.startsAtMs(), now, false));
            } else if (lastNotified != null && lastNotified.firing().contains(a.fingerprint())) {
                // fired again between two flushes: the receiver still has it as firing since the last notification
                n.put(a.fingerprint(), new Notice(a.startsAtMs(), lastNotified.timestampMs(), false));
            }
        }
        if (reason.shouldNotify()) {
            out.add(new Notification(key, options.receiver(), firing, resolved, sendResolved, reason, now));
            log = new NotificationLogEntry(firingFps, resolvedFps, now);
        }
        Map<Long, Alert> left = new LinkedHashMap<>();
        for (Alert a : firing) {
            left.put(a.fingerprint(), a);
        }
        return new AggregationGroup(key, options, left, next, true, log, n);
    }

    private AggregationGroup escalate(long now, List<Notification> out) {
        Escalation esc = options.escalation();
        if (esc == null || notices.isEmpty()) {
            return this;
        }
        List<Alert> firing = new ArrayList<>();
        Map<Long, Notice> n = new LinkedHashMap<>(notices);
        boolean due = false;
        for (Alert a : alerts.values()) {
            if (a.resolvedAt(now)) {
                continue;
            }
            firing.add(a);
            Notice notice = notices.get(a.fingerprint());
            if (notice != null && notice.startsAtMs == a.startsAtMs() && !notice.escalated && !a.acknowledged()
                    && now >= notice.firstNotifiedMs + esc.afterMs()) {
                n.put(a.fingerprint(), new Notice(notice.startsAtMs, notice.firstNotifiedMs, true));
                due = true;
            }
        }
        if (!due) {
            return this;
        }
        out.add(new Notification(key, esc.receiver(), firing, List.of(), false, NotifyReason.ESCALATION, now));
        return new AggregationGroup(key, options, alerts, nextFlushAtMs, hasFlushed, lastNotified, n);
    }
}
