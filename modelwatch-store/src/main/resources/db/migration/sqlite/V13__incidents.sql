-- Incidents: related alerts of a model grouped, with their timeline, owner, notes, actions and latest
-- diagnosis, as one encoded document (JSON); model, state and times as columns.
CREATE TABLE incidents (
    id         TEXT    NOT NULL PRIMARY KEY CHECK (length(id) <= 64),
    model      TEXT    NOT NULL CHECK (length(model) <= 128),
    state      TEXT    NOT NULL CHECK (length(state) <= 16),
    opened_ms  INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    document   BLOB    NOT NULL
);
CREATE INDEX incidents_by_model ON incidents (model, opened_ms);
