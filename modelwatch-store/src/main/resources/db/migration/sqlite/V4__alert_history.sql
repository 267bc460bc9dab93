-- Every change of an alert's state (pending, firing, resolved, ...), kept after the alert itself is
-- forgotten: the alert history of the API.
CREATE TABLE alert_history (
    id         INTEGER PRIMARY KEY,
    alert_id   TEXT    NOT NULL CHECK (length(alert_id) <= 32),
    rule       TEXT    NOT NULL CHECK (length(rule) <= 256),
    labels     TEXT    NOT NULL,
    from_state TEXT    NOT NULL CHECK (length(from_state) <= 16),
    to_state   TEXT    NOT NULL CHECK (length(to_state) <= 16),
    value      INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL
);
CREATE INDEX alert_history_alert ON alert_history (alert_id, at_ms);
CREATE INDEX alert_history_at ON alert_history (at_ms);
