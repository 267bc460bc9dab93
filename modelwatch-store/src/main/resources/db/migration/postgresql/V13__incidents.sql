-- Incidents: related alerts of a model grouped, with their timeline, owner, notes, actions and latest
-- diagnosis, as one encoded document (JSON); model, state and times as columns.
CREATE TABLE incidents (
    id         VARCHAR(64)  COLLATE "C" NOT NULL PRIMARY KEY,
    model      VARCHAR(128) COLLATE "C" NOT NULL,
    state      VARCHAR(16)  NOT NULL,
    opened_ms  BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    document   BYTEA  NOT NULL
);
CREATE INDEX incidents_by_model ON incidents (model, opened_ms);
