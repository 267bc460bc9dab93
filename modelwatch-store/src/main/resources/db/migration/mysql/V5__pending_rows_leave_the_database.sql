-- Pending predictions and early labels moved to the pending-row store (an embedded RocksDB in the
-- data directory, see RocksPendingStore): a table keyed by (model, id) paid a B-tree insert at a
-- random place for every prediction with a random id. Rows of earlier builds are not carried over.
DROP TABLE early_labels;
DROP TABLE predictions;
