package dev.modelwatch.server.alert;

import dev.modelwatch.server.alert.dispatch.Dispatcher;
import dev.modelwatch.server.alert.dispatch.StoredDispatcher;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.alert.silence.SilenceCounts;
import java.util.List;
import java.util.Map;

/**
 * The alert pipeline's state between two evaluations, as restored from storage and as each
 * {@link EvaluationPass} leaves it.
 *
 * @param rules           each rule's state, keyed by rule name in the configuration's order
 * @param dispatcher      the aggregation groups and what they last sent
 * @param savedDispatcher the dispatcher's stored form as last written, null if never (a pass writes it only
 *                        when it changed)
 * @param silences        every silence, active or not
 * @param silenceCounts   which alerts each silence suppressed
 */
record PipelineState(Map<String, RuleState> rules, Dispatcher dispatcher, StoredDispatcher savedDispatcher,
                     List<Silence> silences, SilenceCounts silenceCounts) {
}
