-- Reference data sets, one per model and version ('' = every version without its own): the
-- profile built from the uploaded rows, never the rows themselves.
CREATE TABLE model_references (
    model         VARCHAR(128) NOT NULL,
    version       VARCHAR(128) NOT NULL,
    source        VARCHAR(32)  NOT NULL,
    row_count     BIGINT       NOT NULL,
    created_at_ms BIGINT       NOT NULL,
    data          LONGBLOB     NOT NULL,
    PRIMARY KEY (model, version)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};
