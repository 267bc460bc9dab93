-- Reference data sets, one per model and version ('' = every version without its own): the
-- profile built from the uploaded rows, never the rows themselves.
CREATE TABLE model_references (
    model         TEXT    NOT NULL CHECK (length(model) <= 128),
    version       TEXT    NOT NULL CHECK (length(version) <= 128),
    source        TEXT    NOT NULL CHECK (length(source) <= 32),
    row_count     INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    data          BLOB    NOT NULL,
    PRIMARY KEY (model, version)
);
