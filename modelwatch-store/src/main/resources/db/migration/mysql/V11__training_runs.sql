-- Training runs as the server keeps them: each run's status, down-sampled per-step series (min, max,
-- NaN and infinity counts per bucket of steps), resumes and detected problems, as one encoded document
-- (a JSON RunState), with the ingest-log position up to which its events are included.
CREATE TABLE training_runs (
    model      VARCHAR(128) NOT NULL,
    run        VARCHAR(256) NOT NULL,
    state      LONGBLOB     NOT NULL,
    log_lsn    BIGINT       NOT NULL,
    updated_ms BIGINT       NOT NULL,
    PRIMARY KEY (model, run)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};
