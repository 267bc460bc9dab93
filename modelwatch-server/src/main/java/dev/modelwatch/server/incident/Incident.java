package dev.modelwatch.server.incident;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One incident: the related alerts of one model, from the first one's firing to the last one's
 * resolution, with what happened in between. Immutable; {@link Incidents} makes the next version.
 * Stored whole as JSON (the store's {@code incidents.document}).
 *
 * @param id           its id (a decimal number, unique on this server)
 * @param model        the model it is about
 * @param state        open or resolved
 * @param openedAtMs   when it (first) opened
 * @param resolvedAtMs when it resolved, null while open
 * @param updatedAtMs  when it last changed
 * @param owner        who owns it, or null
 * @param alerts       its alerts, in the order they joined
 * @param timeline     what happened, oldest first
 * @param diagnosis    the latest diagnosis, or null before the first
 */
public record Incident(String id, String model, IncidentState state, long openedAtMs, Long resolvedAtMs,
                       long updatedAtMs, String owner, List<IncidentAlert> alerts, List<TimelineEntry> timeline,
                       StoredDiagnosis diagnosis) {
    /**
     * The most lines a timeline keeps: past it the oldest lines of alerts firing and resolving (a flapping
     * alert's) are dropped first, then the oldest lines of any kind; the first line (opened) stays.
     */
    public static final int MAX_TIMELINE = 1000;

    public Incident {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(state, "state");
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        timeline = timeline == null ? List.of() : List.copyOf(timeline);
    }

    /** The alert with this id, or null. */
    IncidentAlert alert(String alertId) {
        for (IncidentAlert a : alerts) {
            if (a.id().equals(alertId)) {
                return a;
            }
        }
        return null;
    }

    /** Whether any of its alerts fires. */
    boolean anyFiring() {
        return alerts.stream().anyMatch(IncidentAlert::firing);
    }

    /** The highest severity among its alerts ({@code critical} above {@code warning} above others), or null. */
    public String severity() {
        String best = null;
        for (IncidentAlert a : alerts) {
            if (a.severity() != null && (best == null || rank(a.severity()) > rank(best))) {
                best = a.severity();
            }
        }
        return best;
    }

    private static int rank(String severity) {
        return switch (severity) {
            case "critical", "page" -> 3;
            case "warning" -> 2;
            case "info" -> 1;
            default -> 0;
        };
    }

    /** This incident with {@code a} added, or replacing its alert of the same id. */
    Incident withAlert(IncidentAlert a, long atMs) {
        List<IncidentAlert> next = new ArrayList<>(alerts);
        boolean replaced = false;
        for (int i = 0; i < next.size(); i++) {
            if (next.get(i).id().equals(a.id())) {
                next.set(i, a);
                replaced = true;
            }
        }
        if (!replaced) {
            next.add(a);
        }
        return new Incident(id, model, state, openedAtMs, resolvedAtMs, atMs, owner, next, timeline, diagnosis);
    }

    /** This incident with {@code entries} appended to its timeline. */
    Incident with(TimelineEntry... entries) {
        List<TimelineEntry> next = new ArrayList<>(timeline);
        long at = updatedAtMs;
        for (TimelineEntry e : entries) {
            next.add(e);
            at = Math.max(at, e.atMs());
        }
        trim(next);
        return new Incident(id, model, state, openedAtMs, resolvedAtMs, at, owner, alerts, next, diagnosis);
    }

    private static void trim(List<TimelineEntry> lines) {
        for (int k = 1; k < lines.size() && lines.size() > MAX_TIMELINE; ) {
            TimelineKind kind = lines.get(k).kind();
            if (kind == TimelineKind.ALERT_FIRING || kind == TimelineKind.ALERT_RESOLVED) {
                lines.remove(k);
            } else {
                k++;
            }
        }
        while (lines.size() > MAX_TIMELINE) {
            lines.remove(1);
        }
    }

    Incident withState(IncidentState s, Long resolvedAt, long atMs) {
        return new Incident(id, model, s, openedAtMs, resolvedAt, Math.max(atMs, updatedAtMs), owner, alerts, timeline,
                diagnosis);
    }

    Incident withOwner(String o, long atMs) {
        return new Incident(id, model, state, openedAtMs, resolvedAtMs, Math.max(atMs, updatedAtMs), o, alerts, timeline,
                diagnosis);
    }

    Incident withDiagnosis(StoredDiagnosis d, long atMs) {
        return new Incident(id, model, state, openedAtMs, resolvedAtMs, Math.max(atMs, updatedAtMs), owner, alerts,
                timeline, d);
    }
}
