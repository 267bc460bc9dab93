-- Encodings shared by all three databases (see ColumnCodec):
--  * doubles that may be NaN or infinite (predicted_value, score, value) hold their IEEE-754 bit
--    pattern in an INTEGER column, because MySQL/MariaDB DOUBLE cannot store NaN or infinities;
--  * maps (segments, scores, metrics, labels) and early labels (a number or a string) are small
--    binary encodings in BLOB columns.
-- SQLite does not enforce VARCHAR lengths, so the limits are CHECK constraints: a row that
-- PostgreSQL or MySQL would reject is rejected here too.

CREATE TABLE window_profiles (
    model           TEXT    NOT NULL CHECK (length(model) <= 128),
    version         TEXT    NOT NULL CHECK (length(version) <= 128),
    segment         TEXT    NOT NULL CHECK (length(segment) <= 300),
    resolution_ms   INTEGER NOT NULL,
    window_start_ms INTEGER NOT NULL,
    profile         BLOB    NOT NULL,
    updated_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (model, version, segment, resolution_ms, window_start_ms)
);
CREATE INDEX window_profiles_range ON window_profiles (model, segment, resolution_ms, window_start_ms);
CREATE INDEX window_profiles_retention ON window_profiles (resolution_ms, window_start_ms);

CREATE TABLE predictions (
    model           TEXT    NOT NULL CHECK (length(model) <= 128),
    id              TEXT    NOT NULL CHECK (length(id) <= 256),
    version         TEXT    NOT NULL CHECK (length(version) <= 128),
    ts_ms           INTEGER NOT NULL,
    window_start_ms INTEGER NOT NULL,
    window_ms       INTEGER NOT NULL,
    segments        BLOB    NOT NULL,
    predicted_class TEXT,
    predicted_value INTEGER NOT NULL,
    score           INTEGER,
    scores          BLOB,
    labeled         INTEGER NOT NULL,
    PRIMARY KEY (model, id)
) WITHOUT ROWID; -- one B-tree keyed by (model, id) instead of a rowid table plus a key index
CREATE INDEX predictions_ts ON predictions (ts_ms);

CREATE TABLE early_labels (
    model TEXT    NOT NULL CHECK (length(model) <= 128),
    id    TEXT    NOT NULL CHECK (length(id) <= 256),
    label BLOB    NOT NULL,
    ts_ms INTEGER NOT NULL,
    PRIMARY KEY (model, id)
) WITHOUT ROWID;
CREATE INDEX early_labels_ts ON early_labels (ts_ms);

CREATE TABLE models (
    name             TEXT    NOT NULL PRIMARY KEY CHECK (length(name) <= 128),
    task             TEXT    NOT NULL CHECK (length(task) <= 32),
    positive_class   TEXT    NOT NULL,
    window_ms        INTEGER NOT NULL,
    declared         INTEGER NOT NULL,
    first_event_ms   INTEGER NOT NULL,
    last_event_ms    INTEGER NOT NULL,
    prediction_count INTEGER NOT NULL
);

CREATE TABLE model_versions (
    model   TEXT NOT NULL CHECK (length(model) <= 128),
    version TEXT NOT NULL CHECK (length(version) <= 128),
    PRIMARY KEY (model, version)
);

CREATE TABLE training_events (
    id      INTEGER PRIMARY KEY,
    model   TEXT    NOT NULL CHECK (length(model) <= 128),
    run     TEXT    NOT NULL CHECK (length(run) <= 256),
    step    INTEGER NOT NULL,
    epoch   INTEGER,
    ts_ms   INTEGER NOT NULL,
    metrics BLOB    NOT NULL
);
CREATE INDEX training_events_run ON training_events (model, run, step);

CREATE TABLE metric_events (
    id     INTEGER PRIMARY KEY,
    name   TEXT    NOT NULL CHECK (length(name) <= 256),
    model  TEXT    CHECK (length(model) <= 128),
    labels BLOB    NOT NULL,
    ts_ms  INTEGER NOT NULL,
    value  INTEGER NOT NULL
);
CREATE INDEX metric_events_name_ts ON metric_events (name, ts_ms);

CREATE TABLE checkpoint (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    lsn INTEGER NOT NULL
);
