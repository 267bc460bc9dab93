package dev.modelwatch.server.incident;

import dev.modelwatch.server.diagnosis.CauseKind;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A remediation action configured for a model ({@code incidents.actions.<model>[]}): a hook that
 * receives the incident as JSON, run by a person ({@code POST /api/v1/incidents/{id}/actions}) or
 * automatically when the diagnosis names a chosen cause, within guard rails.
 *
 * @param name      the action's name ({@code rollback}, {@code retrain}, {@code shift_traffic}, ...), unique per model
 * @param hook      what runs: a webhook or a command
 * @param auto      when it runs by itself, or null for a person only
 * @param dryRun    automatic runs only record what they would do
 * @param cooldown  no automatic run within this long after the last run of the action for the model
 * @param maxPerDay at most this many automatic runs in any 24 hours (runs by people count, but are not refused)
 */
public record ActionConfig(String name, Hook hook, AutoRun auto, boolean dryRun, Duration cooldown, int maxPerDay) {
    /** The defaults: cool-down 1 h, at most 3 runs a day. */
    public static final Duration DEFAULT_COOLDOWN = Duration.ofHours(1);
    public static final int DEFAULT_MAX_PER_DAY = 3;

    public ActionConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hook, "hook");
        Objects.requireNonNull(cooldown, "cooldown");
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("cooldown must not be negative");
        }
        if (maxPerDay < 1) {
            throw new IllegalArgumentException("max_per_day must be at least 1, was " + maxPerDay);
        }
    }

    /** What runs. */
    public sealed interface Hook permits WebhookHook, CommandHook {
        /** How long one attempt may take. */
        Duration timeout();

        /** What it does, in words ({@code POST http://...}, {@code run /opt/hooks/rollback.sh}). */
        String describe();
    }

    /** POSTs the incident as JSON to {@code url}; a 2xx answer is success. */
    public record WebhookHook(URI url, Duration timeout) implements Hook {
        public WebhookHook {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(timeout, "timeout");
        }

        @Override
        public String describe() {
            return "POST " + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                    + url.getPath();
        }
    }

    /** Runs {@code command} (no shell) with the incident as JSON on its standard input; exit code 0 is success. */
    public record CommandHook(List<String> command, Duration timeout) implements Hook {
        public CommandHook {
            command = List.copyOf(command);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("command must name the program to run");
            }
            Objects.requireNonNull(timeout, "timeout");
        }

        @Override
        public String describe() {
            return "run " + String.join(" ", command);
        }
    }

    /**
     * When the action runs by itself: the latest diagnosis has a cause of one of {@code causes} scored at
     * least {@code minScore}, and the incident's severity (its alerts' highest) is one of {@code severities}
     * (empty: any).
     */
    public record AutoRun(Set<CauseKind> causes, Set<String> severities, double minScore) {
        public AutoRun {
            causes = Set.copyOf(causes);
            severities = Set.copyOf(severities);
            if (causes.isEmpty()) {
                throw new IllegalArgumentException("causes must name at least one cause kind");
            }
            if (!(minScore >= 0 && minScore <= 1)) {
                throw new IllegalArgumentException("min_score must be within 0..1, was " + minScore);
            }
        }
    }
}
