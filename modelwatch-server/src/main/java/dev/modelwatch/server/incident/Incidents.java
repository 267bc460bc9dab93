package dev.modelwatch.server.incident;

import dev.modelwatch.server.alert.AlertListener;
import dev.modelwatch.server.alert.lifecycle.Acknowledgement;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertState;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.diagnosis.Cause;
import dev.modelwatch.server.diagnosis.Diagnoser;
import dev.modelwatch.server.diagnosis.Diagnosis;
import dev.modelwatch.server.diagnosis.DiagnosisRequest;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.IncidentStore;
import dev.modelwatch.store.StoredIncident;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incidents of every model: groups the alert runtime's changes into incidents, keeps their
 * timelines, owners, notes and latest diagnoses, runs their remediation actions, and stores each
 * change (docs/incidents.md).
 *
 * <p><b>Grouping.</b> An alert belongs to the model its {@code model} label names, else to the model
 * of the training run its {@code run} label names, else to the model of the host its {@code host}
 * label names (learned from alerts that carry both labels). When it starts firing it joins the
 * model's open incident; without one, it reopens the model's incident that resolved less than
 * {@code incidents.reopen_within} ago, else it opens a new incident. An incident resolves when all
 * its alerts resolved.
 *
 * <p><b>Threads.</b> The alert runtime calls {@link #onTransitions} and {@link #onAcknowledged} on its
 * evaluation thread: they only update memory and store the changed incidents. Diagnoses and actions
 * run on {@code work}. One lock guards the incidents.
 *
 * <pre>{@code
 * Incidents incidents = Incidents.builder(store.incidents(), config).clock(clock).diagnoser(diagnoser)
 *         .work(executor).hooks(hooks).externalUrl(url).modelsOfRun(runs::modelsOf).build();
 * AlertRuntime.builder(...).listener(incidents) ...
 * }</pre>
 */
public final class Incidents implements AlertListener, IncidentLinks {
    private static final Logger LOG = LoggerFactory.getLogger(Incidents.class);
    /** The dashboard's page of an incident, after the external URL. */
    public static final String PAGE = "/ui/incidents/";

    private final IncidentStore store;
    private final IncidentConfig config;
    private final Clock clock;
    private final Diagnoser diagnoser;
    private final Executor work;
    private final ActionRunner hooks;
    private final String externalUrl;
    private final Function<String, Set<String>> modelsOfRun;
    private final Object lock = new Object();
    // guarded by lock
    private final Map<String, Incident> byId = new LinkedHashMap<>();
    private final Map<String, String> hostModels = new HashMap<>();
    private final Map<String, String> episodes = new HashMap<>();
    private final Map<String, String> latestOfAlert = new HashMap<>();
    /** Alert id -> when its condition started to hold (it turned pending), until it fires or stops. */
    private final Map<String, Long> pendingSince = new HashMap<>();
    /** Alert id -> when the condition of its firing episode started to hold (the diagnosis's onset). */
    private final Map<String, Long> conditionSince = new HashMap<>();
    private final Map<String, List<Long>> runs = new HashMap<>();
    private final Set<String> diagnosing = new HashSet<>();
    private final Set<String> diagnoseAgain = new HashSet<>();
    private long lastId;
    private long lastPruneMs = Long.MIN_VALUE;
    /** How often resolved incidents past {@code incidents.keep} are forgotten. */
    static final long PRUNE_EVERY_MS = 3_600_000L;

    private Incidents(Builder b) {
        this.store = b.store;
        this.config = b.config;
        this.clock = b.clock;
        this.diagnoser = b.diagnoser;
        this.work = b.work;
        this.hooks = b.hooks;
        this.externalUrl = b.externalUrl == null ? "" : b.externalUrl.replaceAll("/+$", "");
        this.modelsOfRun = b.modelsOfRun;
        for (StoredIncident s : store.all()) {
            Incident i;
            try {
                i = Json.read(s.document(), Incident.class, "incident " + s.id());
            } catch (IllegalArgumentException e) {
                LOG.error("incident {} cannot be read and is left out: {}", s.id(), e.getMessage());
                continue;
            }
            byId.put(i.id(), i);
            index(i);
            try {
                lastId = Math.max(lastId, Long.parseLong(i.id()));
            } catch (NumberFormatException e) {
                // not one of ours: it keeps its id, ours continue after the numeric ones
            }
        }
        prune(clock.millis());
    }

    /**
     * Forgets the resolved incidents last changed more than {@code incidents.keep} ago, from memory and
     * the database, at most once per {@link #PRUNE_EVERY_MS} (holding the lock).
     */
    private void prune(long nowMs) {
        if (lastPruneMs != Long.MIN_VALUE && nowMs - lastPruneMs < PRUNE_EVERY_MS) {
            return;
        }
        lastPruneMs = nowMs;
        long before = nowMs - config.keep().toMillis();
        Set<String> gone = new HashSet<>();
        byId.values().removeIf(i -> {
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
            int deleted = store.deleteResolvedBefore(before);
            LOG.info("forgot {} incident(s) resolved before {} (incidents.keep); {} deleted from the database",
                    gone.size(), Times.format(before), deleted);
        } catch (RuntimeException e) {
            LOG.warn("incidents resolved before {} could not be deleted (tried again in an hour): {}",
                    Times.format(before), e.getMessage());
        }
    }

    /** A builder of the incidents kept in {@code store} with {@code config}; clock, diagnoser, work and hooks are required. */
    public static Builder builder(IncidentStore store, IncidentConfig config) {
        return new Builder(store, config);
    }

    /** Builds {@link Incidents}; {@link #build} loads the stored incidents. */
    public static final class Builder {
        private final IncidentStore store;
        private final IncidentConfig config;
        private Clock clock;
        private Diagnoser diagnoser;
        private Executor work;
        private ActionRunner hooks;
        private String externalUrl = "";
        private Function<String, Set<String>> modelsOfRun = run -> Set.of();

        private Builder(IncidentStore store, IncidentConfig config) {
            this.store = Objects.requireNonNull(store, "store");
            this.config = Objects.requireNonNull(config, "config");
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** What explains an incident; called on {@link #work}. */
        public Builder diagnoser(Diagnoser d) {
            this.diagnoser = d;
            return this;
        }

        /** Where diagnoses run and actions start (never on the alert runtime's thread). */
        public Builder work(Executor e) {
            this.work = e;
            return this;
        }

        /** What runs the actions' hooks. */
        public Builder hooks(ActionRunner h) {
            this.hooks = h;
            return this;
        }

        /** The server's URL as users reach it ({@code server.external_url}), for links; "" or null: none. */
        public Builder externalUrl(String url) {
            this.externalUrl = url;
            return this;
        }

        /** The models a training run belongs to (default: none known). */
        public Builder modelsOfRun(Function<String, Set<String>> f) {
            this.modelsOfRun = Objects.requireNonNull(f, "modelsOfRun");
            return this;
        }

        public Incidents build() {
            List<String> missing = new ArrayList<>();
            if (clock == null) {
                missing.add("clock");
            }
            if (diagnoser == null) {
                missing.add("diagnoser");
            }
            if (work == null) {
                missing.add("work");
            }
            if (hooks == null) {
                missing.add("hooks");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("Incidents.builder: " + String.join(", ", missing) + " must be set");
            }
            return new Incidents(this);
        }
    }

    // ---- reads ----

    /** The incidents, newest first, filtered by model and state (null: any). */
    public List<Incident> list(String model, IncidentState state) {
        synchronized (lock) {
            List<Incident> out = new ArrayList<>();
            for (Incident i : byId.values()) {
                if ((model == null || model.equals(i.model())) && (state == null || state == i.state())) {
                    out.add(i);
                }
            }
            out.sort(Comparator.comparingLong(Incident::openedAtMs).thenComparing(Incident::id).reversed());
            return out;
        }
    }

    /** The incident {@code id}, or empty. */
    public Optional<Incident> get(String id) {
        synchronized (lock) {
            return Optional.ofNullable(byId.get(id));
        }
    }

    /** The configuration (its actions, for the API). */
    public IncidentConfig config() {
        return config;
    }

    /** The dashboard page of incident {@code id}, "" when the external URL is not set. */
    public String url(String id) {
        return externalUrl.isEmpty() ? "" : externalUrl + PAGE + id;
    }

    @Override
    public Link find(String alertId, long startsAtMs) {
        synchronized (lock) {
            String id = episodes.get(alertId + "@" + startsAtMs);
            if (id == null) {
                id = latestOfAlert.get(alertId);
            }
            return id == null ? null : new Link(id, url(id));
        }
    }

    // ---- the alert runtime's changes ----

    @Override
    public void onTransitions(List<AlertTransition> transitions, long nowMs) {
        try {
            Set<String> changed = new LinkedHashSet<>();
            synchronized (lock) {
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
                changed.forEach(this::save);
            }
            changed.forEach(this::diagnose);
        } catch (RuntimeException e) {
            // the alert pipeline goes on whatever happens to incidents
            LOG.error("incidents: could not take the alerts' changes at {}", Times.format(nowMs), e);
        }
    }

    /**
     * Catches up with the alerts as the runtime restored them: a firing alert that is in no incident
     * (its change was not stored before a crash, or it fired before incidents existed) fires now, at
     * its episode's start; an alert an open incident still counts as firing but that no longer fires
     * resolves now.
     */
    @Override
    public void onRestored(List<AlertInstance> notifying, long nowMs) {
        List<AlertTransition> missed = new ArrayList<>();
        synchronized (lock) {
            Set<String> firing = new HashSet<>();
            for (AlertInstance a : notifying) {
                firing.add(a.id());
                long start = a.episodeStartMs() != null ? a.episodeStartMs() : a.stateSinceMs();
                if (!episodes.containsKey(a.id() + "@" + start)) {
                    missed.add(new AlertTransition(a.fingerprint(), a.labels(), AlertState.INACTIVE, a.state(), start,
                            a.value(), AlertTransition.Effect.FIRE, a.flapping(), "firing when the server started"));
                }
            }
            for (Incident i : byId.values()) {
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
        }
        if (!missed.isEmpty()) {
            missed.sort(Comparator.comparingLong(AlertTransition::atMs));
            onTransitions(missed, nowMs);
        }
    }

    @Override
    public void onAcknowledged(AlertTransition t, Acknowledgement ack) {
        try {
            synchronized (lock) {
                String id = latestOfAlert.get(t.id());
                Incident i = id == null ? null : byId.get(id);
                if (i == null) {
                    return;
                }
                i = i.with(new TimelineEntry(ack.atMs(), TimelineKind.ACKNOWLEDGED, "acknowledged "
                        + t.labels().get("alertname") + (ack.comment().isEmpty() ? "" : ": " + ack.comment()),
                        t.id(), ack.by(), null, null, null));
                if (i.owner() == null) {
                    // whoever acknowledges first owns the incident until someone else is named
                    i = i.withOwner(ack.by(), ack.atMs()).with(TimelineEntry.byPerson(ack.atMs(), TimelineKind.OWNER,
                            ack.by(), ack.by() + " owns the incident (first to acknowledge)"));
                }
                byId.put(id, i);
                save(id);
            }
        } catch (RuntimeException e) {
            LOG.error("incidents: could not record an acknowledgement of alert {}", t.id(), e);
        }
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
        for (Incident i : byId.values()) {
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
            String id = Long.toString(++lastId);
            i = new Incident(id, model, IncidentState.OPEN, at, null, at, null, List.of(), List.of(), null)
                    .with(TimelineEntry.ofAlert(at, TimelineKind.OPENED, t.id(), "opened by " + rule));
        }
        IncidentAlert a = new IncidentAlert(t.id(), rule, labels, labels.get("severity"), true, at, null);
        i = i.withAlert(a, at).with(TimelineEntry.ofAlert(at, TimelineKind.ALERT_FIRING, t.id(),
                rule + " " + t.labels() + " fires" + (Double.isNaN(t.value()) ? "" : " (value " + t.value() + ")")
                        + (t.note().isEmpty() ? "" : ": " + t.note())));
        byId.put(i.id(), i);
        episodes.put(t.id() + "@" + at, i.id());
        latestOfAlert.put(t.id(), i.id());
        return i.id();
    }

    private String resolved(AlertTransition t) {
        String id = latestOfAlert.get(t.id());
        Incident i = id == null ? null : byId.get(id);
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
        byId.put(i.id(), i);
        return i.id();
    }

    /** Indexes a loaded incident: its alerts' episodes, and the runs of actions. */
    private void index(Incident i) {
        for (TimelineEntry e : i.timeline()) {
            if (e.kind() == TimelineKind.ALERT_FIRING && e.alert() != null) {
                episodes.put(e.alert() + "@" + e.atMs(), i.id());
                latestOfAlert.put(e.alert(), i.id());
            } else if (e.kind() == TimelineKind.ACTION && "started".equals(e.outcome())) {
                runs.computeIfAbsent(runKey(i.model(), e.action()), k -> new ArrayList<>()).add(e.atMs());
            }
        }
        for (IncidentAlert a : i.alerts()) {
            String host = a.labels().get("host");
            if (host != null && a.labels().get("model") != null) {
                hostModels.put(host, a.labels().get("model"));
            }
        }
    }

    private static String runKey(String model, String action) {
        return model + "\u0000" + action;
    }

    /** Stores incident {@code id} (holding the lock); a failure is logged, the next change stores it again. */
    private void save(String id) {
        Incident i = byId.get(id);
        try {
            store.save(new StoredIncident(i.id(), i.model(), i.state().wireName(), i.openedAtMs(), i.updatedAtMs(),
                    Json.bytes(i)));
        } catch (RuntimeException e) {
            LOG.error("incident {} could not be stored (kept in memory; stored at its next change): {}", id,
                    e.getMessage());
        }
    }

    /** Changes incident {@code id} by {@code change} and stores it; empty when there is no such incident. */
    private Optional<Incident> update(String id, Function<Incident, Incident> change) {
        synchronized (lock) {
            Incident i = byId.get(id);
            if (i == null) {
                return Optional.empty();
            }
            Incident next = change.apply(i);
            byId.put(id, next);
            save(id);
            return Optional.of(next);
        }
    }

    // ---- people ----

    /**
     * Adds a note by {@code by}; with {@code owner} (not null) the incident's owner becomes {@code owner} too.
     *
     * @return the incident after, or empty when there is none with this id
     */
    public Optional<Incident> addNote(String id, String by, String text, String owner) {
        long now = clock.millis();
        return update(id, i -> {
            Incident next = i.with(TimelineEntry.byPerson(now, TimelineKind.NOTE, by, text));
            return owner == null ? next : changeOwner(next, owner, by, now);
        });
    }

    /** Makes {@code owner} the owner, as {@code by} decided; empty when there is no such incident. */
    public Optional<Incident> setOwner(String id, String owner, String by) {
        long now = clock.millis();
        return update(id, i -> changeOwner(i, owner, by, now));
    }

    private static Incident changeOwner(Incident i, String owner, String by, long now) {
        if (owner.equals(i.owner())) {
            return i;
        }
        return i.withOwner(owner, now).with(TimelineEntry.byPerson(now, TimelineKind.OWNER, by,
                owner + " owns the incident" + (i.owner() == null ? "" : " (was " + i.owner() + ")")));
    }

    /**
     * Runs action {@code name} of the incident's model for a person (the guard rails do not refuse it;
     * its run counts towards them), or records what it would do with {@code dryRun}. The outcome is added
     * to the timeline when the hook ends.
     *
     * @return the incident with the request in its timeline; empty when there is no such incident
     * @throws IllegalArgumentException when the model has no action of that name (the message names the ones it has)
     */
    public Optional<Incident> runAction(String id, String name, String by, boolean dryRun) {
        Incident i = get(id).orElse(null);
        if (i == null) {
            return Optional.empty();
        }
        ActionConfig a = config.action(i.model(), name);
        if (a == null) {
            List<String> names = config.actionsOf(i.model()).stream().map(ActionConfig::name).toList();
            throw new IllegalArgumentException("action: model '" + i.model() + "' has no action '" + name + "'"
                    + (names.isEmpty() ? "; it has none (incidents.actions." + i.model() + " in the configuration)"
                    : "; it has " + String.join(", ", names)));
        }
        return start(id, a, by, dryRun, "run by " + by);
    }

    /** Records the start of {@code a} (or its dry run) and starts its hook. */
    private Optional<Incident> start(String id, ActionConfig a, String by, boolean dryRun, String why) {
        long now = clock.millis();
        Incident[] started = new Incident[1];
        Optional<Incident> after = update(id, i -> {
            if (dryRun) {
                return i.with(TimelineEntry.action(now, a.name(), by, "dry_run", true,
                        "dry run (" + why + "): would " + a.hook().describe()));
            }
            List<Long> ran = runs.computeIfAbsent(runKey(i.model(), a.name()), k -> new ArrayList<>());
            // only the runs the guard rails look at are kept: the last one, and those of the last 24 hours
            long horizon = now - Math.max(a.cooldown().toMillis(), GuardRails.DAY_MS);
            ran.removeIf(t -> t < horizon);
            ran.add(now);
            Incident next = i.with(TimelineEntry.action(now, a.name(), by, "started", false,
                    why + ": " + a.hook().describe()));
            started[0] = next;
            return next;
        });
        if (started[0] != null) {
            Incident snapshot = started[0];
            hooks.run(a.hook(), "incident-" + id + "-" + a.name() + "-" + now, Json.bytes(new ActionPayload(snapshot,
                    url(id), a.name(), by)), outcome -> update(id, i -> i.with(TimelineEntry.action(clock.millis(),
                    a.name(), by, outcome.succeeded() ? "succeeded" : "failed", false, (outcome.succeeded()
                            ? "succeeded" : "failed") + " after " + outcome.attempts() + " attempt(s): "
                            + outcome.detail()))));
        }
        return after;
    }

    /**
     * What an action's hook receives: the incident (as {@code GET /api/v1/incidents/{id}} stores it), its
     * page, the action and who runs it ({@code automatic} for an automatic run).
     */
    public record ActionPayload(Incident incident, String url, String action, String by) {
    }

    // ---- diagnosis and automatic actions ----

    /** Has incident {@code id} diagnosed on {@link #work}, once at a time (a change meanwhile diagnoses it again after). */
    private void diagnose(String id) {
        synchronized (lock) {
            if (!diagnosing.add(id)) {
                diagnoseAgain.add(id);
                return;
            }
        }
        try {
            work.execute(() -> diagnoseNow(id));
        } catch (RuntimeException e) {
            LOG.error("incident {}: the diagnosis could not be started: {}", id, e.getMessage());
            synchronized (lock) {
                diagnosing.remove(id);
            }
        }
    }

    private void diagnoseNow(String id) {
        try {
            Incident i = get(id).orElseThrow();
            long now = clock.millis();
            // the onset: when the condition of the first firing alert started to hold (it turned pending: a
            // rule's "for" later it fired), else when it fired (after a restart)
            long onset;
            synchronized (lock) {
                onset = i.alerts().stream().filter(IncidentAlert::firing)
                        .mapToLong(a -> conditionSince.getOrDefault(a.id(), a.startedAtMs())).min().orElse(i.openedAtMs());
            }
            onset = Math.min(onset, now);
            Set<String> names = new LinkedHashSet<>();
            String run = null;
            for (IncidentAlert a : i.alerts()) {
                names.add(a.rule());
                run = run == null ? a.labels().get("run") : run;
            }
            DiagnosisRequest request = new DiagnosisRequest(i.model(),
                    Instant.ofEpochMilli(onset - config.diagnosisLookback().toMillis()), Instant.ofEpochMilli(now + 1),
                    Instant.ofEpochMilli(onset), List.copyOf(names), run);
            Diagnosis d;
            StoredDiagnosis stored;
            try {
                d = diagnoser.diagnose(request);
                stored = StoredDiagnosis.of(d);
            } catch (RuntimeException e) {
                LOG.warn("incident {}: the diagnosis failed", id, e);
                update(id, x -> x.with(TimelineEntry.of(clock.millis(), TimelineKind.DIAGNOSIS,
                        "the diagnosis failed: " + e.getMessage())));
                return;
            }
            long at = clock.millis();
            Incident after = update(id, x -> {
                Incident next = x.withDiagnosis(stored, at);
                String summary = summary(d.causes());
                String before = x.diagnosis() == null ? null : summary(x.diagnosis());
                return summary.equals(before) ? next : next.with(TimelineEntry.of(at, TimelineKind.DIAGNOSIS, summary));
            }).orElseThrow();
            automaticActions(after, d.causes());
        } catch (RuntimeException e) {
            LOG.error("incident {}: diagnosis or automatic actions failed", id, e);
        } finally {
            boolean again;
            synchronized (lock) {
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

    /** Runs the model's automatic actions that the causes call for, within their guard rails. */
    private void automaticActions(Incident i, List<Cause> causes) {
        if (i.state() != IncidentState.OPEN) {
            return;
        }
        for (ActionConfig a : config.actionsOf(i.model())) {
            ActionConfig.AutoRun auto = a.auto();
            if (auto == null) {
                continue;
            }
            Cause cause = causes.stream().filter(c -> auto.causes().contains(c.kind()) && c.score() >= auto.minScore())
                    .findFirst().orElse(null);
            String severity = i.severity();
            if (cause == null || !(auto.severities().isEmpty() || (severity != null && auto.severities().contains(severity)))) {
                continue;
            }
            String why = String.format(Locale.ROOT, "automatic, for %s scored %.2f", cause.kind().wireName(), cause.score());
            if (a.dryRun()) {
                if (!lastActionSays(i.id(), a.name(), "dry_run")) {
                    start(i.id(), a, "automatic", true, why);
                }
                continue;
            }
            String refusal;
            synchronized (lock) {
                refusal = GuardRails.refusal(a, runs.getOrDefault(runKey(i.model(), a.name()), List.of()), clock.millis());
            }
            if (refusal != null) {
                if (!lastActionSays(i.id(), a.name(), "skipped")) {
                    long now = clock.millis();
                    update(i.id(), x -> x.with(TimelineEntry.action(now, a.name(), "automatic", "skipped", false,
                            "not run (" + why + "): " + refusal)));
                }
                continue;
            }
            start(i.id(), a, "automatic", false, why);
        }
    }

    /** Whether the incident's last timeline entry of action {@code name} has {@code outcome} (to not repeat it). */
    private boolean lastActionSays(String id, String name, String outcome) {
        Incident i = get(id).orElse(null);
        if (i == null) {
            return false;
        }
        for (int k = i.timeline().size() - 1; k >= 0; k--) {
            TimelineEntry e = i.timeline().get(k);
            if (e.kind() == TimelineKind.ACTION && name.equals(e.action())) {
                return outcome.equals(e.outcome());
            }
        }
        return false;
    }
}
