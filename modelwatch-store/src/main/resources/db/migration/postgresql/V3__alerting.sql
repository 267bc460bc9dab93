-- Alerting: the pipeline's state (rule states, groups and their notification logs, silences) as
-- named documents, and the outbox of notifications to deliver. A state document and the outbox
-- rows it produced are written in one transaction, so a restart neither forgets nor repeats one.
CREATE TABLE alerting_state (
    name          VARCHAR(128) COLLATE "C" NOT NULL PRIMARY KEY,
    data          BYTEA        NOT NULL,
    updated_at_ms BIGINT       NOT NULL
);

CREATE TABLE notification_outbox (
    id               BIGSERIAL     PRIMARY KEY,
    receiver         VARCHAR(128)  NOT NULL,
    group_key        VARCHAR(1024) NOT NULL,
    alert_ids        TEXT          NOT NULL,
    payload          BYTEA         NOT NULL,
    created_at_ms    BIGINT        NOT NULL,
    due_at_ms        BIGINT        NOT NULL,
    attempts         INTEGER       NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    last_error       VARCHAR(2000),
    delivered_at_ms  BIGINT
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, due_at_ms);
CREATE INDEX notification_outbox_created ON notification_outbox (created_at_ms);
