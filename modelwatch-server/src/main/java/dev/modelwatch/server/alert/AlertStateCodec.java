package dev.modelwatch.server.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Dispatcher;
import dev.modelwatch.server.alert.dispatch.Route;
import dev.modelwatch.server.alert.dispatch.StoredDispatcher;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.lifecycle.StoredRuleState;
import dev.modelwatch.server.alert.lifecycle.StoredValues;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.alert.silence.SilenceCounts;
import dev.modelwatch.server.alert.silence.StoredSilences;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored form of the alert pipeline's state: three JSON documents in the store's alerting state
 * ({@value #RULES}, {@value #DISPATCHER}, {@value #SILENCES}), written with the outbox rows they
 * decided on and read back by {@link #restore} at start.
 */
final class AlertStateCodec {
    private static final Logger log = LoggerFactory.getLogger(AlertStateCodec.class);
    static final String RULES = "rules";
    static final String DISPATCHER = "dispatcher";
    static final String SILENCES = "silences";

    private AlertStateCodec() {
    }

    /**
     * The stored state of the configured rules (a rule without one starts from its initial state),
     * the groups of {@code route} (empty when the stored ones no longer fit it) and the silences.
     */
    static PipelineState restore(Store store, AlertingConfig config, Route route) {
        Map<String, RuleState> rules = store.alertingState(RULES).map(AlertStateCodec::readRules).orElse(Map.of());
        Map<String, RuleState> states = new LinkedHashMap<>();
        for (AlertRule r : config.rules()) {
            states.put(r.name(), rules.getOrDefault(r.name(), RuleState.initial(r.name())));
        }
        Dispatcher dispatcher = Dispatcher.create(route);
        StoredDispatcher savedDispatcher = null;
        Optional<byte[]> d = store.alertingState(DISPATCHER);
        if (d.isPresent() && config.route() != null) {
            StoredDispatcher stored = readDispatcher(d.get());
            try {
                dispatcher = stored.toDispatcher(route);
                savedDispatcher = StoredDispatcher.of(dispatcher);
            } catch (RuntimeException e) {
                log.warn("the stored alert groups do not fit the configured routes ({}); starting with empty groups",
                        e.getMessage());
            }
        }
        StoredSilences s = store.alertingState(SILENCES).map(AlertStateCodec::readSilences)
                .orElse(new StoredSilences(List.of(), Map.of()));
        List<Silence> silences = s.toSilences();
        SilenceCounts counts = s.toCounts();
        return new PipelineState(states, dispatcher, savedDispatcher, silences, counts);
    }

    /** The rules' document. */
    static byte[] rules(Map<String, RuleState> states) {
        Map<String, StoredRuleState> rules = new LinkedHashMap<>();
        states.forEach((k, v) -> rules.put(k, StoredRuleState.of(v)));
        return Json.bytes(rules);
    }

    /** Reads the rules' document, by rule name. */
    static Map<String, RuleState> readRules(byte[] doc) {
        Map<String, StoredRuleState> stored;
        try {
            stored = Json.MAPPER.readValue(doc, new TypeReference<LinkedHashMap<String, StoredRuleState>>() { });
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt alerting state " + RULES + ": " + e.getMessage(), e);
        }
        Map<String, RuleState> out = new LinkedHashMap<>();
        stored.forEach((k, v) -> out.put(k, StoredValues.require(v, RULES + "." + k).toState()));
        return out;
    }

    /** The silences' document: every silence and what each suppressed. */
    static byte[] silences(List<Silence> silences, SilenceCounts counts) {
        return Json.bytes(StoredSilences.of(silences, counts));
    }

    /** The dispatcher's document. */
    static byte[] dispatcher(StoredDispatcher d) {
        return Json.bytes(d);
    }

    /** Reads the dispatcher's document. */
    static StoredDispatcher readDispatcher(byte[] doc) {
        return Json.read(doc, StoredDispatcher.class, "alerting state " + DISPATCHER);
    }

    /** Reads the silences' document. */
    static StoredSilences readSilences(byte[] doc) {
        return Json.read(doc, StoredSilences.class, "alerting state " + SILENCES);
    }

    /** An alert's labels as its history rows store them. */
    static String labels(SeriesLabels labels) {
        return new String(Json.bytes(labels.asMap()), StandardCharsets.UTF_8);
    }
}
