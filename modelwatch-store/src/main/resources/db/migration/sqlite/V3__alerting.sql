-- Alerting: the pipeline's state (rule states, groups and their notification logs, silences) as
-- named documents, and the outbox of notifications to deliver. A state document and the outbox
-- rows it produced are written in one transaction, so a restart neither forgets nor repeats one.
CREATE TABLE alerting_state (
    name          TEXT    NOT NULL PRIMARY KEY CHECK (length(name) <= 128),
    data          BLOB    NOT NULL,
    updated_at_ms INTEGER NOT NULL
);

CREATE TABLE notification_outbox (
    id               INTEGER PRIMARY KEY,
    receiver         TEXT    NOT NULL CHECK (length(receiver) <= 128),
    group_key        TEXT    NOT NULL CHECK (length(group_key) <= 1024),
    alert_ids        TEXT    NOT NULL CHECK (length(alert_ids) <= 20000),
    payload          BLOB    NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    due_at_ms        INTEGER NOT NULL,
    attempts         INTEGER NOT NULL,
    status           TEXT    NOT NULL CHECK (length(status) <= 16),
    last_error       TEXT    CHECK (length(last_error) <= 2000),
    delivered_at_ms  INTEGER
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, due_at_ms);
CREATE INDEX notification_outbox_created ON notification_outbox (created_at_ms);
