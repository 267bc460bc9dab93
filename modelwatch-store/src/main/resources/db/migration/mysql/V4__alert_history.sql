-- Every change of an alert's state (pending, firing, resolved, ...), kept after the alert itself is
-- forgotten: the alert history of the API. value holds the IEEE-754 bits (NaN allowed).
CREATE TABLE alert_history (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    alert_id   VARCHAR(32)  NOT NULL,
    rule       VARCHAR(256) NOT NULL,
    labels     MEDIUMTEXT   NOT NULL,
    from_state VARCHAR(16)  NOT NULL,
    to_state   VARCHAR(16)  NOT NULL,
    value      BIGINT       NOT NULL,
    at_ms      BIGINT       NOT NULL
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC DEFAULT CHARSET = utf8mb4 COLLATE = ${binaryCollation};
CREATE INDEX alert_history_alert ON alert_history (alert_id, at_ms);
CREATE INDEX alert_history_at ON alert_history (at_ms);
