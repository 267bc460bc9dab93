-- Incidents: related alerts of a model grouped, with their timeline, owner, notes, actions and latest
-- diagnosis, as one encoded document (JSON); model, state and times as columns.
CREATE TABLE incidents (
    id         VARCHAR(64)  NOT NULL,
    model      VARCHAR(128) NOT NULL,
    state      VARCHAR(16)  NOT NULL,
    opened_ms  BIGINT       NOT NULL,
    updated_ms BIGINT       NOT NULL,
    document   LONGBLOB     NOT NULL,
    PRIMARY KEY (id),
    KEY incidents_by_model (model, opened_ms)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};
