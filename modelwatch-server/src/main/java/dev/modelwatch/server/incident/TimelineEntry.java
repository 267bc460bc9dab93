package dev.modelwatch.server.incident;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One line of an incident's timeline.
 *
 * @param atMs    when, epoch milliseconds
 * @param kind    what happened
 * @param text    what happened, in words for people
 * @param alert   the alert it is about (16 hex digits), or null
 * @param by      who did it (a note's, an acknowledgement's, an owner change's or a manual action's author), or null
 * @param action  the action's name ({@link TimelineKind#ACTION}), or null
 * @param outcome an action's outcome: {@code requested}, {@code started}, {@code succeeded}, {@code failed},
 *                {@code dry_run} or {@code skipped}; null for other kinds
 * @param dryRun  whether an action entry is a dry run; null for other kinds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TimelineEntry(long atMs, TimelineKind kind, String text, String alert, String by, String action,
                            String outcome, Boolean dryRun) {
    public TimelineEntry {
        Objects.requireNonNull(kind, "kind");
        text = text == null ? "" : text;
    }

    static TimelineEntry of(long atMs, TimelineKind kind, String text) {
        return new TimelineEntry(atMs, kind, text, null, null, null, null, null);
    }

    static TimelineEntry ofAlert(long atMs, TimelineKind kind, String alert, String text) {
        return new TimelineEntry(atMs, kind, text, alert, null, null, null, null);
    }

    static TimelineEntry byPerson(long atMs, TimelineKind kind, String by, String text) {
        return new TimelineEntry(atMs, kind, text, null, by, null, null, null);
    }

    static TimelineEntry action(long atMs, String action, String by, String outcome, boolean dryRun, String text) {
        return new TimelineEntry(atMs, TimelineKind.ACTION, text, null, by, action, outcome, dryRun);
    }
}
