-- Resource series are read by time range (and by model) for a run's or a model's page, across names.
CREATE INDEX metric_events_ts ON metric_events (ts_ms);
CREATE INDEX metric_events_model_ts ON metric_events (model, ts_ms);
