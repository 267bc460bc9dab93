-- Alerting: the pipeline's state (rule states, groups and their notification logs, silences) as
-- named documents, and the outbox of notifications to deliver. A state document and the outbox
-- rows it produced are written in one transaction, so a restart neither forgets nor repeats one.
CREATE TABLE alerting_state (
    name          VARCHAR(128) NOT NULL PRIMARY KEY,
    data          LONGBLOB     NOT NULL,
    updated_at_ms BIGINT       NOT NULL
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};

CREATE TABLE notification_outbox (
    id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    receiver         VARCHAR(128)  NOT NULL,
    group_key        VARCHAR(1024) NOT NULL,
    alert_ids        MEDIUMTEXT    NOT NULL,
    payload          LONGBLOB      NOT NULL,
    created_at_ms    BIGINT        NOT NULL,
    due_at_ms        BIGINT        NOT NULL,
    attempts         INT           NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    last_error       VARCHAR(2000),
    delivered_at_ms  BIGINT,
    INDEX notification_outbox_due (status, due_at_ms),
    INDEX notification_outbox_created (created_at_ms)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};
