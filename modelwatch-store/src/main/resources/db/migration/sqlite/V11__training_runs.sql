-- Training runs as the server keeps them: each run's status, down-sampled per-step series (min, max,
-- NaN and infinity counts per bucket of steps), resumes and detected problems, as one encoded document
-- (a JSON RunState), with the ingest-log position up to which its events are included.
CREATE TABLE training_runs (
    model      TEXT    NOT NULL CHECK (length(model) <= 128),
    run        TEXT    NOT NULL CHECK (length(run) <= 256),
    state      BLOB    NOT NULL,
    log_lsn    INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (model, run)
);
