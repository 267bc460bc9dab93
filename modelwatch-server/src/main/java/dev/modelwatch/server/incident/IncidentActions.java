package dev.modelwatch.server.incident;

import dev.modelwatch.server.diagnosis.Cause;
import dev.modelwatch.server.json.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The incidents' remediation actions: those people run, and the automatic ones the diagnosed causes
 * call for within their guard rails ({@link GuardRails}); each start and outcome goes to the timeline.
 */
final class IncidentActions {
    private final IncidentBook book;
    private final IncidentConfig config;
    private final Clock clock;
    private final ActionRunner hooks;
    private final UnaryOperator<String> urlOf;
    // guarded by book.lock: model and action -> when it started (the runs the guard rails look at)
    private final Map<String, List<Long>> runs = new HashMap<>();

    IncidentActions(IncidentBook book, IncidentConfig config, Clock clock, ActionRunner hooks,
                    UnaryOperator<String> urlOf) {
        this.book = book;
        this.config = config;
        this.clock = clock;
        this.hooks = hooks;
        this.urlOf = urlOf;
    }

    /** Indexes a loaded incident's runs of actions (holding the lock). */
    void index(Incident i) {
        for (TimelineEntry e : i.timeline()) {
            if (e.kind() == TimelineKind.ACTION && "started".equals(e.outcome())) {
                runs.computeIfAbsent(runKey(i.model(), e.action()), k -> new ArrayList<>()).add(e.atMs());
            }
        }
    }

    private static String runKey(String model, String action) {
        return model + "\u0000" + action;
    }

    /** See {@link Incidents#runAction}. */
    Optional<Incident> runAction(String id, String name, String by, boolean dryRun) {
        Incident i = book.get(id).orElse(null);
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
        Optional<Incident> after = book.update(id, i -> {
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
            hooks.run(a.hook(), "incident-" + id + "-" + a.name() + "-" + now, Json.bytes(new Incidents.ActionPayload(
                    snapshot, urlOf.apply(id), a.name(), by)), outcome -> book.update(id, i -> i.with(
                    TimelineEntry.action(clock.millis(), a.name(), by, outcome.succeeded() ? "succeeded" : "failed",
                            false, (outcome.succeeded() ? "succeeded" : "failed") + " after " + outcome.attempts()
                                    + " attempt(s): " + outcome.detail()))));
        }
        return after;
    }

    /** Runs the model's automatic actions that the causes call for, within their guard rails. */
    void automatic(Incident i, List<Cause> causes) {
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
            synchronized (book.lock) {
                refusal = GuardRails.refusal(a, runs.getOrDefault(runKey(i.model(), a.name()), List.of()), clock.millis());
            }
            if (refusal != null) {
                if (!lastActionSays(i.id(), a.name(), "skipped")) {
                    long now = clock.millis();
                    book.update(i.id(), x -> x.with(TimelineEntry.action(now, a.name(), "automatic", "skipped", false,
                            "not run (" + why + "): " + refusal)));
                }
                continue;
            }
            start(i.id(), a, "automatic", false, why);
        }
    }

    /** Whether the incident's last timeline entry of action {@code name} has {@code outcome} (to not repeat it). */
    private boolean lastActionSays(String id, String name, String outcome) {
        Incident i = book.get(id).orElse(null);
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
