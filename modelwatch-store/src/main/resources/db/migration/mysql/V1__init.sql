-- Encodings shared by all three databases (see ColumnCodec):
--  * doubles that may be NaN or infinite (predicted_value, score, value) hold their IEEE-754 bit
--    pattern in a BIGINT column, because DOUBLE here cannot store NaN or infinities;
--  * maps (segments, scores, metrics, labels) and early labels (a number or a string) are small
--    binary encodings in BLOB columns (MEDIUMBLOB: a 64 KiB BLOB is too small for the class
--    probabilities of a large multiclass model; LONGBLOB for profiles).
-- Text is utf8mb4 with a binary collation chosen at migration time (${binaryCollation}, a NO PAD
-- one where the server has it): the default collations are case- and trailing-space-insensitive
-- and would make "Fraud" and "fraud" one primary key. Key lengths fit InnoDB's 3072-byte limit at
-- 4 bytes per character: window_profiles' key is 4 * (128 + 128 + 300) + 16 = 2240 bytes.

CREATE TABLE window_profiles (
    model           VARCHAR(128) NOT NULL,
    version         VARCHAR(128) NOT NULL,
    segment         VARCHAR(300) NOT NULL,
    resolution_ms   BIGINT       NOT NULL,
    window_start_ms BIGINT       NOT NULL,
    profile         LONGBLOB     NOT NULL,
    updated_at_ms   BIGINT       NOT NULL,
    PRIMARY KEY (model, version, segment, resolution_ms, window_start_ms),
    INDEX window_profiles_range (model, segment, resolution_ms, window_start_ms),
    INDEX window_profiles_retention (resolution_ms, window_start_ms)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};

CREATE TABLE predictions (
    model           VARCHAR(128) NOT NULL,
    id              VARCHAR(256) NOT NULL,
    version         VARCHAR(128) NOT NULL,
    ts_ms           BIGINT       NOT NULL,
    window_start_ms BIGINT       NOT NULL,
    window_ms       BIGINT       NOT NULL,
    segments        MEDIUMBLOB   NOT NULL,
    predicted_class TEXT,
    predicted_value BIGINT       NOT NULL,
    score           BIGINT,
    scores          MEDIUMBLOB,
    labeled         BOOLEAN      NOT NULL,
    PRIMARY KEY (model, id),
    INDEX predictions_ts (ts_ms)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};

CREATE TABLE early_labels (
    model VARCHAR(128) NOT NULL,
    id    VARCHAR(256) NOT NULL,
    label MEDIUMBLOB   NOT NULL,
    ts_ms BIGINT       NOT NULL,
    PRIMARY KEY (model, id),
    INDEX early_labels_ts (ts_ms)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};

CREATE TABLE models (
    name             VARCHAR(128) NOT NULL PRIMARY KEY,
    task             VARCHAR(32)  NOT NULL,
    positive_class   TEXT         NOT NULL,
    window_ms        BIGINT       NOT NULL,
    declared         BOOLEAN      NOT NULL,
    first_event_ms   BIGINT       NOT NULL,
    last_event_ms    BIGINT       NOT NULL,
    prediction_count BIGINT       NOT NULL
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};

CREATE TABLE model_versions (
    model   VARCHAR(128) NOT NULL,
    version VARCHAR(128) NOT NULL,
    PRIMARY KEY (model, version)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};

CREATE TABLE training_events (
    id      BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    model   VARCHAR(128) NOT NULL,
    run     VARCHAR(256) NOT NULL,
    step    BIGINT       NOT NULL,
    epoch   BIGINT,
    ts_ms   BIGINT       NOT NULL,
    metrics MEDIUMBLOB   NOT NULL,
    INDEX training_events_run (model, run, step)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};

CREATE TABLE metric_events (
    id     BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name   VARCHAR(256) NOT NULL,
    model  VARCHAR(128),
    labels MEDIUMBLOB   NOT NULL,
    ts_ms  BIGINT       NOT NULL,
    value  BIGINT       NOT NULL,
    INDEX metric_events_name_ts (name, ts_ms)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};

CREATE TABLE checkpoint (
    id  INT    NOT NULL PRIMARY KEY,
    lsn BIGINT NOT NULL
) ENGINE = InnoDB;
