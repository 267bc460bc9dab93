-- What each model has been admitted under the configured limits (limits: in modelwatch.yml):
-- its feature names, segment keys and values, and class names, as one encoded document per model
-- (AdmittedValues). It is written in the same transaction as the profiles and the checkpoint, so
-- that replaying the ingest log after a restart folds and admits exactly as the running server did.
CREATE TABLE model_admissions (
    model    VARCHAR(128) NOT NULL PRIMARY KEY,
    admitted LONGBLOB     NOT NULL
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};
