package dev.modelwatch.server.diagnosis;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.drift.DriftReport;
import dev.modelwatch.store.ModelRecord;

/**
 * The spans a diagnosis compares and the merged profiles of all traffic in them: the baseline
 * {@code [baseFrom, baseTo)} before the onset, current {@code [onset, to)}, the per-step series' step,
 * the drift report of current against the baseline and against the model's drift reference (null without one).
 */
record Frame(ModelRecord model, ModelSpec spec, long from, long to, long onset, long baseFrom, long baseTo,
             long step, WindowProfile base, WindowProfile cur, DriftReport report,
             DriftReport againstReference, Evidences.Window baseWindow, Evidences.Window curWindow) {
}
