-- A training run is kept as its down-sampled curves (training_runs); its events are not kept as rows.
DROP TABLE training_events;
