-- Per-model exceptions to the global checkpoint, written only while storage refuses one model's
-- writes and others go on (see Flush.modelCheckpoints):
--  * held_since_ms > 0: a hold. The model's rows reflect its events only up to lsn, although the
--    global checkpoint is further on; a restart replays its events after lsn, and the ingest log
--    is kept from lsn on until the model's writes succeed or its events are parked (dead letters).
--  * held_since_ms = 0: the model was committed alone up to lsn, ahead of the global checkpoint.
CREATE TABLE model_checkpoints (
    model         TEXT    NOT NULL PRIMARY KEY CHECK (length(model) <= 128),
    lsn           INTEGER NOT NULL,
    held_since_ms INTEGER NOT NULL,
    last_error    TEXT
);
