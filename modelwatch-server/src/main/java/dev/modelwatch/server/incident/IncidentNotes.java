package dev.modelwatch.server.incident;

import java.time.Clock;
import java.util.Optional;

/** What people add to an incident's timeline: notes, and who owns it. */
final class IncidentNotes {
    private final IncidentBook book;
    private final Clock clock;

    IncidentNotes(IncidentBook book, Clock clock) {
        this.book = book;
        this.clock = clock;
    }

    /** See {@link Incidents#addNote}. */
    Optional<Incident> addNote(String id, String by, String text, String owner) {
        long now = clock.millis();
        return book.update(id, i -> {
            Incident next = i.with(TimelineEntry.byPerson(now, TimelineKind.NOTE, by, text));
            return owner == null ? next : changeOwner(next, owner, by, now);
        });
    }

    /** See {@link Incidents#setOwner}. */
    Optional<Incident> setOwner(String id, String owner, String by) {
        long now = clock.millis();
        return book.update(id, i -> changeOwner(i, owner, by, now));
    }

    private static Incident changeOwner(Incident i, String owner, String by, long now) {
        if (owner.equals(i.owner())) {
            return i;
        }
        return i.withOwner(owner, now).with(TimelineEntry.byPerson(now, TimelineKind.OWNER, by,
                owner + " owns the incident" + (i.owner() == null ? "" : " (was " + i.owner() + ")")));
    }
}
