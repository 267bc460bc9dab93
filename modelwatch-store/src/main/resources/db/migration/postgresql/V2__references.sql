-- Reference data sets, one per model and version ('' = every version without its own): the
-- profile built from the uploaded rows, never the rows themselves.
CREATE TABLE model_references (
    model         VARCHAR(128) COLLATE "C" NOT NULL,
    version       VARCHAR(128) COLLATE "C" NOT NULL,
    source        VARCHAR(32)  NOT NULL,
    row_count     BIGINT       NOT NULL,
    created_at_ms BIGINT       NOT NULL,
    data          BYTEA        NOT NULL,
    PRIMARY KEY (model, version)
);
