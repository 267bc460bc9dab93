package dev.modelwatch.server.incident;

import dev.modelwatch.server.diagnosis.Cause;
import dev.modelwatch.server.diagnosis.Diagnoser;
import dev.modelwatch.server.diagnosis.Diagnosis;
import dev.modelwatch.server.diagnosis.DiagnosisRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incidents' diagnoses: each changed incident is diagnosed on {@code work}, one diagnosis of an
 * incident at a time (a change meanwhile diagnoses it again after), over
 * {@code [onset - incidents.diagnosis_lookback, now]} around the onset of its first firing alert and
 * weighed by its alerts' names; the stored diagnosis then starts the automatic actions (of an open
 * incident). An incident open or recently resolved whose diagnosis is older than
 * {@link #REFRESH_AFTER_MS} is diagnosed again at the next change of any alert.
 */
final class IncidentDiagnoses {
    private static final Logger LOG = LoggerFactory.getLogger(Incidents.class);
    /** How old an open incident's diagnosis may grow before a change of any alert has it diagnosed again. */
    static final long REFRESH_AFTER_MS = 300_000L;

    private final IncidentBook book;
    private final IncidentGrouping grouping;
    private final IncidentActions actions;
    private final IncidentConfig config;
    private final Clock clock;
    private final Diagnoser diagnoser;
    private final Executor work;
    // guarded by book.lock
    private final Set<String> diagnosing = new HashSet<>();
    private final Set<String> diagnoseAgain = new HashSet<>();

    IncidentDiagnoses(IncidentBook book, IncidentGrouping grouping, IncidentActions actions, IncidentConfig config,
                      Clock clock, Diagnoser diagnoser, Executor work) {
        this.book = book;
        this.grouping = grouping;
        this.actions = actions;
        this.config = config;
        this.clock = clock;
        this.diagnoser = diagnoser;
        this.work = work;
    }

    /**
     * Diagnoses again the incidents open, or resolved less than {@code incidents.reopen_within} ago (an
     * alert may still reopen them), whose diagnosis ends {@link #REFRESH_AFTER_MS} or more before
     * {@code nowMs} (but those in {@code changed}, diagnosed anyway): what arrived since (a version taking
     * the traffic, labels) may explain them better. Called on a change of any alert, holding no lock.
     */
    void refresh(long nowMs, Set<String> changed) {
        List<String> stale = new ArrayList<>();
        synchronized (book.lock) {
            for (Incident i : book.byId().values()) {
                boolean live = i.state() == IncidentState.OPEN || (i.resolvedAtMs() != null
                        && nowMs - i.resolvedAtMs() <= config.reopenWithin().toMillis());
                if (live && i.diagnosis() != null && !changed.contains(i.id())
                        && nowMs - i.diagnosis().toMs() >= REFRESH_AFTER_MS) {
                    stale.add(i.id());
                }
            }
        }
        stale.forEach(this::diagnose);
    }

    /** Has incident {@code id} diagnosed on {@code work}, once at a time (a change meanwhile diagnoses it again after). */
    void diagnose(String id) {
        synchronized (book.lock) {
            if (!diagnosing.add(id)) {
                diagnoseAgain.add(id);
                return;
            }
        }
        try {
            work.execute(() -> diagnoseNow(id));
        } catch (RuntimeException e) {
            LOG.error("incident {}: the diagnosis could not be started: {}", id, e.getMessage());
            synchronized (book.lock) {
                diagnosing.remove(id);
            }
        }
    }

    /** The question an incident asks now: its model, range, onset, alerts' names and training run. */
    DiagnosisRequest request(Incident i, long now) {
        long onset;
        synchronized (book.lock) {
            onset = grouping.onset(i);
        }
        onset = Math.min(onset, now);
        Set<String> names = new LinkedHashSet<>();
        String run = null;
        for (IncidentAlert a : i.alerts()) {
            names.add(a.rule());
            run = run == null ? a.labels().get("run") : run;
        }
        return new DiagnosisRequest(i.model(), Instant.ofEpochMilli(onset - config.diagnosisLookback().toMillis()),
                Instant.ofEpochMilli(now + 1), Instant.ofEpochMilli(onset), List.copyOf(names), run);
    }

    private void diagnoseNow(String id) {
        try {
            Incident i = book.get(id).orElseThrow();
            DiagnosisRequest request = request(i, clock.millis());
            Diagnosis d;
            StoredDiagnosis stored;
            try {
                d = diagnoser.diagnose(request);
                stored = StoredDiagnosis.of(d);
            } catch (RuntimeException e) {
                LOG.warn("incident {}: the diagnosis failed", id, e);
                book.update(id, x -> x.with(TimelineEntry.of(clock.millis(), TimelineKind.DIAGNOSIS,
                        "the diagnosis failed: " + e.getMessage())));
                return;
            }
            long at = clock.millis();
            Incident after = book.update(id, x -> {
                Incident next = x.withDiagnosis(stored, at);
                String summary = summary(d.causes());
                String before = x.diagnosis() == null ? null : summary(x.diagnosis());
                return summary.equals(before) ? next : next.with(TimelineEntry.of(at, TimelineKind.DIAGNOSIS, summary));
            }).orElseThrow();
            actions.automatic(after, d.causes());
        } catch (RuntimeException e) {
            LOG.error("incident {}: diagnosis or automatic actions failed", id, e);
        } finally {
            boolean again;
            synchronized (book.lock) {
                diagnosing.remove(id);
                again = diagnoseAgain.remove(id);
            }
            if (again) {
                diagnose(id);
            }
        }
    }

    private static String summary(List<Cause> causes) {
        if (causes.isEmpty()) {
            return "diagnosis: no probable cause found";
        }
        Cause best = causes.get(0);
        return "diagnosis: " + causes.size() + " probable cause(s); best " + describe(best.kind().wireName(),
                best.score(), best.feature(), best.segment(), best.version());
    }

    /** The summary of a stored diagnosis, as {@link #summary(List)} writes it (to add a line only when it changed). */
    private static String summary(StoredDiagnosis d) {
        if (d.causes() == null || d.causes().isEmpty()) {
            return "diagnosis: no probable cause found";
        }
        var best = d.causes().get(0);
        return "diagnosis: " + d.causes().size() + " probable cause(s); best " + describe(best.path("kind").asText(),
                best.path("score").asDouble(), text(best, "feature"), text(best, "segment"), text(best, "version"));
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static String describe(String kind, double score, String feature, String segment, String version) {
        StringBuilder sb = new StringBuilder(kind).append(String.format(Locale.ROOT, " (score %.2f", score));
        if (feature != null) {
            sb.append(", feature ").append(feature);
        }
        if (segment != null) {
            sb.append(", segment ").append(segment);
        }
        if (version != null) {
            sb.append(", version ").append(version);
        }
        return sb.append(')').toString();
    }
}
