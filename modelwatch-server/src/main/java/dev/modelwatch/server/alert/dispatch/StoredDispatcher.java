package dev.modelwatch.server.alert.dispatch;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.StoredValues;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of a {@link Dispatcher} (a Jackson record, {@link StoredValues} conventions):
 * {@code {"groups": [..], "muted": {reason: count}}}. The routing tree is not stored:
 * {@link #toDispatcher} reads the groups against the current one, dropping the groups of routes that no
 * longer exist and giving the others their route's current options. Records compare by value, so the
 * owner compares stored forms to know whether anything needs writing.
 *
 * @param groups the aggregation groups
 * @param muted  how many alert updates each mute reason dropped
 */
public record StoredDispatcher(List<Group> groups, Map<String, Long> muted) {

    public static StoredDispatcher of(Dispatcher d) {
        return new StoredDispatcher(d.groups().values().stream().map(Group::of).toList(),
                new LinkedHashMap<>(d.mutedCounts()));
    }

    /** @throws IllegalArgumentException naming the field that is missing or malformed */
    public Dispatcher toDispatcher(Route root) {
        Map<GroupKey, AggregationGroup> out = new LinkedHashMap<>();
        for (Group g : StoredValues.require(groups, "dispatcher.groups")) {
            Route r = root.find(StoredValues.require(g.route(), "group.route"));
            if (r == null) {
                continue;
            }
            AggregationGroup ag = g.toGroup(r.options());
            out.put(ag.key(), ag);
        }
        return new Dispatcher(root, out, new LinkedHashMap<>(StoredValues.require(muted, "dispatcher.muted")));
    }

    /** A stored {@link AggregationGroup}: key (route id, group labels), alerts, schedule, log, notices. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Group(String route, Map<String, String> groupLabels, List<StoredAlert> alerts, Long nextFlush,
            Boolean hasFlushed, LogEntry lastNotified, Map<String, Notice> notices) {
        public static Group of(AggregationGroup g) {
            Map<String, Notice> ns = new LinkedHashMap<>();
            g.notices().forEach((fp, n) -> ns.put(AlertFingerprint.format(fp), Notice.of(n)));
            return new Group(g.key().routeId(), g.key().groupLabels().asMap(),
                    g.alerts().values().stream().map(StoredAlert::of).toList(), g.nextFlushAtMs(), g.hasFlushed(),
                    g.lastNotified() == null ? null : LogEntry.of(g.lastNotified()), ns);
        }

        /** The group this stores, with the (current) options of its route. */
        public AggregationGroup toGroup(RouteOptions options) {
            Map<Long, Alert> as = new LinkedHashMap<>();
            for (StoredAlert a : StoredValues.require(alerts, "aggregation_group.alerts")) {
                Alert alert = a.toAlert();
                as.put(alert.fingerprint(), alert);
            }
            Map<Long, AggregationGroup.Notice> ns = new LinkedHashMap<>();
            StoredValues.require(notices, "aggregation_group.notices").forEach((hex, n) -> ns.put(
                    StoredValues.fingerprint(hex, "aggregation_group.notices"), n.toNotice()));
            return new AggregationGroup(new GroupKey(StoredValues.require(route, "aggregation_group.route"),
                    SeriesLabels.of(StoredValues.require(groupLabels, "aggregation_group.group_labels"))), options, as,
                    StoredValues.require(nextFlush, "aggregation_group.next_flush"), hasFlushed != null && hasFlushed,
                    lastNotified == null ? null : lastNotified.toEntry(), ns);
        }
    }

    /** A stored {@link AggregationGroup.Notice}. */
    public record Notice(Long startsAt, Long firstNotified, Boolean escalated) {
        public static Notice of(AggregationGroup.Notice n) {
            return new Notice(n.startsAtMs(), n.firstNotifiedMs(), n.escalated());
        }

        public AggregationGroup.Notice toNotice() {
            return new AggregationGroup.Notice(StoredValues.require(startsAt, "notice.starts_at"),
                    StoredValues.require(firstNotified, "notice.first_notified"), escalated != null && escalated);
        }
    }

    /** A stored {@link NotificationLogEntry}: {@code {"firing": [hex, ..], "resolved": [hex, ..], "at": ms}}. */
    public record LogEntry(List<String> firing, List<String> resolved, Long at) {
        public static LogEntry of(NotificationLogEntry e) {
            return new LogEntry(StoredValues.hex(e.firing()), StoredValues.hex(e.resolved()), e.timestampMs());
        }

        public NotificationLogEntry toEntry() {
            return new NotificationLogEntry(StoredValues.fingerprints(firing, "notification_log_entry.firing"),
                    StoredValues.fingerprints(resolved, "notification_log_entry.resolved"),
                    StoredValues.require(at, "notification_log_entry.at"));
        }
    }
}
