package dev.modelwatch.server.incident;

import dev.modelwatch.server.alert.lifecycle.Acknowledgement;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertState;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.time.Times;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incidents' lifecycle from the alerts' changes: which model an alert is about, which incident it
 * joins (open, reopened or new), when an incident resolves, who acknowledged it first, when each alert's
 * condition started to hold (a diagnosis's onset), and the forgetting of old resolved incidents. Every
 * method runs holding the book's lock unless it says otherwise.
 */
final class IncidentGrouping {
    private static final Logger LOG = LoggerFactory.getLogger(Incidents.class);
    /** How often resolved incidents past {@code incidents.keep} are forgotten. */
    static final long PRUNE_EVERY_MS = 3_600_000L;

    private final IncidentBook book;
    private final IncidentConfig config;
    private final Function<String, Set<String>> modelsOfRun;
    // guarded by book.lock
    private final Map<String, String> hostModels = new HashMap<>();
    private final Map<String, String> episodes = new HashMap<>();
    private final Map<String, String> latestOfAlert = new HashMap<>();
    /** Alert id -> when its condition started to hold (it turned pending), until it fires or stops. */
    private final Map<String, Long> pendingSince = new HashMap<>();
    /** Alert id -> when the condition of its firing episode started to hold (the diagnosis's onset). */
    private final Map<String, Long> conditionSince = new HashMap<>();
    private long lastPruneMs = Long.MIN_VALUE;

    IncidentGrouping(IncidentBook book, IncidentConfig config, Function<String, Set<String>> modelsOfRun) {
        this.book = book;
        this.config = config;
        this.modelsOfRun = modelsOfRun;
    }

    /** Indexes a loaded incident: its alerts' episodes and the hosts of its models. */
    void index(Incident i) {
        for (TimelineEntry e : i.timeline()) {
            if (e.kind() == TimelineKind.ALERT_FIRING && e.alert() != null) {
                episodes.put(e.alert() + "@" + e.atMs(), i.id());
                latestOfAlert.put(e.alert(), i.id());
            }
        }
        for (IncidentAlert a : i.alerts()) {
            String host = a.labels().get("host");
            if (host != null && a.labels().get("model") != null) {
                hostModels.put(host, a.labels().get("model"));
            }
        }
    }

    /**
     * Forgets the resolved incidents last changed more than {@code incidents.keep} ago, from memory and
     * the database, at most once per {@link #PRUNE_EVERY_MS}.
     */
    void prune(long nowMs) {
        if (lastPruneMs != Long.MIN_VALUE && nowMs - lastPruneMs < PRUNE_EVERY_MS) {
            return;
        }
        lastPruneMs = nowMs;
        long before = nowMs - config.keep().toMillis();
        Set<String> gone = new HashSet<>();
        book.byId().values().removeIf(i -> {
            boolean old = i.state() == IncidentState.RESOLVED && i.updatedAtMs() < before;
            if (old) {
                gone.add(i.id());
            }
            return old;
        });
        if (gone.isEmpty()) {
            return;
        }
        episodes.values().removeIf(gone::contains);
        latestOfAlert.values().removeIf(gone::contains);
        try {
            int deleted = book.deleteResolvedBefore(before);
            LOG.info("forgot {} incident(s) resolved before {} (incidents.keep); {} deleted from the database",
                    gone.size(), Times.format(before), deleted);
        } catch (RuntimeException e) {
            LOG.warn("incidents resolved before {} could not be deleted (tried again in an hour): {}",
                    Times.format(before), e.getMessage());
        }
    }

    /** The incident of an alert's episode (else the alert's latest incident), or null. */
    String find(String alertId, long startsAtMs) {
        String id = episodes.get(alertId + "@" + startsAtMs);
        return id == null ? latestOfAlert.get(alertId) : id;
    }

    /** Takes the alerts' changes; the ids of the incidents changed (not yet stored). */
    Set<String> take(List<AlertTransition> transitions, long nowMs) {
        Set<String> changed = new LinkedHashSet<>();
        prune(nowMs);
        for (AlertTransition t : transitions) {
            if (t.to() == AlertState.PENDING && t.from() != AlertState.PENDING) {
                pendingSince.put(t.id(), t.atMs());
            } else if (t.to() != AlertState.PENDING && t.to() != AlertState.FIRING) {
                pendingSince.remove(t.id());
            }
            if (t.effect() == AlertTransition.Effect.FIRE) {
                Long since = pendingSince.remove(t.id());
                conditionSince.put(t.id(), since == null ? t.atMs() : Math.min(since, t.atMs()));
            } else if (t.effect() == AlertTransition.Effect.RESOLVE) {
                conditionSince.remove(t.id());
            }
            String id = switch (t.effect()) {
                case FIRE -> fired(t);
                case RESOLVE -> resolved(t);
                default -> null;
            };
            if (id != null) {
                changed.add(id);
            }
        }
        return changed;
    }

    /**
     * The changes missed while the server was down, from the alerts as the runtime restored them: a
     * firing alert that is in no incident fires at its episode's start; an alert an open incident still
     * counts as firing but that no longer fires resolves now. Oldest first.
     */
    List<AlertTransition> missed(List<AlertInstance> notifying, long nowMs) {
        List<AlertTransition> missed = new ArrayList<>();
        Set<String> firing = new HashSet<>();
        for (AlertInstance a : notifying) {
            firing.add(a.id());
            long start = a.episodeStartMs() != null ? a.episodeStartMs() : a.stateSinceMs();
            if (!episodes.containsKey(a.id() + "@" + start)) {
                missed.add(new AlertTransition(a.fingerprint(), a.labels(), AlertState.INACTIVE, a.state(), start,
                        a.value(), AlertTransition.Effect.FIRE, a.flapping(), "firing when the server started"));
            }
        }
        for (Incident i : book.byId().values()) {
            if (i.state() != IncidentState.OPEN) {
                continue;
            }
            for (IncidentAlert a : i.alerts()) {
                if (a.firing() && !firing.contains(a.id())) {
                    missed.add(new AlertTransition(AlertFingerprint.parse(a.id()),
                            dev.modelwatch.core.rules.SeriesLabels.of(a.labels()), AlertState.FIRING,
                            AlertState.RESOLVED, nowMs, Double.NaN, AlertTransition.Effect.RESOLVE, false,
                            "no longer firing when the server started"));
                }
            }
        }
        missed.sort(Comparator.comparingLong(AlertTransition::atMs));
        return missed;
    }

    /** Records an acknowledgement in the alert's latest incident; its id, or null when it has none. */
    String acknowledged(AlertTransition t, Acknowledgement ack) {
        String id = latestOfAlert.get(t.id());
        Incident i = id == null ? null : book.byId().get(id);
        if (i == null) {
            return null;
        }
        i = i.with(new TimelineEntry(ack.atMs(), TimelineKind.ACKNOWLEDGED, "acknowledged "
                + t.labels().get("alertname") + (ack.comment().isEmpty() ? "" : ": " + ack.comment()),
                t.id(), ack.by(), null, null, null));
        if (i.owner() == null) {
            // whoever acknowledges first owns the incident until someone else is named
            i = i.withOwner(ack.by(), ack.atMs()).with(TimelineEntry.byPerson(ack.atMs(), TimelineKind.OWNER,
                    ack.by(), ack.by() + " owns the incident (first to acknowledge)"));
        }
        book.byId().put(id, i);
        return id;
    }

    /**
     * When the incident's trouble started: when the condition of its first firing alert started to hold
     * (it turned pending: a rule's "for" later it fired), else when it fired (after a restart).
     */
    long onset(Incident i) {
        return i.alerts().stream().filter(IncidentAlert::firing)
                .mapToLong(a -> conditionSince.getOrDefault(a.id(), a.startedAtMs())).min().orElse(i.openedAtMs());
    }

    /** The model an alert with these labels is about, or null. */
    private String modelOf(Map<String, String> labels) {
        String model = labels.get("model");
        String host = labels.get("host");
        if (model != null) {
            if (host != null) {
                hostModels.put(host, model);
            }
            return model;
        }
        String run = labels.get("run");
        if (run != null) {
            Set<String> models = modelsOfRun.apply(run);
            if (models.size() == 1) {
                return models.iterator().next();
            }
        }
        return host == null ? null : hostModels.get(host);
    }

    private String fired(AlertTransition t) {
        Map<String, String> labels = t.labels().asMap();
        String model = modelOf(labels);
        if (model == null) {
            return null;
        }
        long at = t.atMs();
        Incident open = null;
        Incident recent = null;
        for (Incident i : book.byId().values()) {
            if (!i.model().equals(model)) {
                continue;
            }
            if (i.state() == IncidentState.OPEN) {
                open = i;
            } else if (i.resolvedAtMs() != null && at - i.resolvedAtMs() <= config.reopenWithin().toMillis()
                    && (recent == null || i.resolvedAtMs() > recent.resolvedAtMs())) {
                recent = i;
            }
        }
        Incident i;
        String rule = labels.getOrDefault("alertname", "");
        if (open != null) {
            i = open;
        } else if (recent != null) {
            long after = (at - recent.resolvedAtMs()) / 1000;
            i = recent.withState(IncidentState.OPEN, null, at).with(TimelineEntry.ofAlert(at, TimelineKind.REOPENED,
                    t.id(), "reopened: " + rule + " fired " + after + " s after the incident resolved"));
        } else {
            String id = book.nextId();
            i = new Incident(id, model, IncidentState.OPEN, at, null, at, null, List.of(), List.of(), null)
                    .with(TimelineEntry.ofAlert(at, TimelineKind.OPENED, t.id(), "opened by " + rule));
        }
        IncidentAlert a = new IncidentAlert(t.id(), rule, labels, labels.get("severity"), true, at, null);
        i = i.withAlert(a, at).with(TimelineEntry.ofAlert(at, TimelineKind.ALERT_FIRING, t.id(),
                rule + " " + t.labels() + " fires" + (Double.isNaN(t.value()) ? "" : " (value " + t.value() + ")")
                        + (t.note().isEmpty() ? "" : ": " + t.note())));
        book.byId().put(i.id(), i);
        episodes.put(t.id() + "@" + at, i.id());
        latestOfAlert.put(t.id(), i.id());
        return i.id();
    }

    private String resolved(AlertTransition t) {
        String id = latestOfAlert.get(t.id());
        Incident i = id == null ? null : book.byId().get(id);
        if (i == null || i.alert(t.id()) == null) {
            return null;
        }
        IncidentAlert before = i.alert(t.id());
        long at = t.atMs();
        i = i.withAlert(new IncidentAlert(before.id(), before.rule(), before.labels(), before.severity(), false,
                before.startedAtMs(), at), at).with(TimelineEntry.ofAlert(at, TimelineKind.ALERT_RESOLVED, t.id(),
                before.rule() + " resolved"));
        if (i.state() == IncidentState.OPEN && !i.anyFiring()) {
            i = i.withState(IncidentState.RESOLVED, at, at).with(TimelineEntry.of(at, TimelineKind.RESOLVED,
                    "resolved: all " + i.alerts().size() + " alert(s) resolved"));
        }
        book.byId().put(i.id(), i);
        return i.id();
    }
}
