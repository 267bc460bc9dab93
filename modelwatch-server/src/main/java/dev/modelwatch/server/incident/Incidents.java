package dev.modelwatch.server.incident;

import dev.modelwatch.server.alert.AlertListener;
import dev.modelwatch.server.alert.lifecycle.Acknowledgement;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.diagnosis.Diagnoser;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.IncidentStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
 * <p>The parts: {@link IncidentBook} (the incidents and their storage), {@link IncidentGrouping} (the
 * lifecycle from the alerts' changes), {@link IncidentNotes} (people's notes and owners),
 * {@link IncidentDiagnoses} (diagnosis scheduling) and {@link IncidentActions} (remediation actions).
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

    private final IncidentConfig config;
    private final String externalUrl;
    private final IncidentBook book;
    private final IncidentGrouping grouping;
    private final IncidentNotes notes;
    private final IncidentActions actions;
    private final IncidentDiagnoses diagnoses;

    private Incidents(Builder b) {
        this.config = b.config;
        this.externalUrl = b.externalUrl == null ? "" : b.externalUrl.replaceAll("/+$", "");
        this.book = new IncidentBook(b.store);
        this.grouping = new IncidentGrouping(book, b.config, b.modelsOfRun);
        this.notes = new IncidentNotes(book, b.clock);
        this.actions = new IncidentActions(book, b.config, b.clock, b.hooks, this::url);
        this.diagnoses = new IncidentDiagnoses(book, grouping, actions, b.config, b.clock, b.diagnoser, b.work);
        synchronized (book.lock) {
            for (Incident i : book.byId().values()) {
                grouping.index(i);
                actions.index(i);
            }
            grouping.prune(b.clock.millis());
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

        /** What explains an incident; called on {@link #work(Executor)}. */
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
        return book.list(model, state);
    }

    /** The incident {@code id}, or empty. */
    public Optional<Incident> get(String id) {
        return book.get(id);
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
        synchronized (book.lock) {
            String id = grouping.find(alertId, startsAtMs);
            return id == null ? null : new Link(id, url(id));
        }
    }

    // ---- the alert runtime's changes ----

    @Override
    public void onTransitions(List<AlertTransition> transitions, long nowMs) {
        try {
            Set<String> changed;
            synchronized (book.lock) {
                changed = grouping.take(transitions, nowMs);
                changed.forEach(book::save);
            }
            changed.forEach(diagnoses::diagnose);
            diagnoses.refresh(nowMs, changed);
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
        List<AlertTransition> missed;
        synchronized (book.lock) {
            missed = grouping.missed(notifying, nowMs);
        }
        if (!missed.isEmpty()) {
            onTransitions(missed, nowMs);
        }
    }

    @Override
    public void onAcknowledged(AlertTransition t, Acknowledgement ack) {
        try {
            synchronized (book.lock) {
                String id = grouping.acknowledged(t, ack);
                if (id != null) {
                    book.save(id);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("incidents: could not record an acknowledgement of alert {}", t.id(), e);
        }
    }

    // ---- people ----

    /**
     * Adds a note by {@code by}; with {@code owner} (not null) the incident's owner becomes {@code owner} too.
     *
     * @return the incident after, or empty when there is none with this id
     */
    public Optional<Incident> addNote(String id, String by, String text, String owner) {
        return notes.addNote(id, by, text, owner);
    }

    /** Makes {@code owner} the owner, as {@code by} decided; empty when there is no such incident. */
    public Optional<Incident> setOwner(String id, String owner, String by) {
        return notes.setOwner(id, owner, by);
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
        return actions.runAction(id, name, by, dryRun);
    }

    /**
     * What an action's hook receives: the incident (as {@code GET /api/v1/incidents/{id}} stores it), its
     * page, the action and who runs it ({@code automatic} for an automatic run).
     */
    public record ActionPayload(Incident incident, String url, String action, String by) {
    }
}
