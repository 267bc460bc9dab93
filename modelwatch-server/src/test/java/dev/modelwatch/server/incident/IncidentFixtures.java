package dev.modelwatch.server.incident;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertState;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.diagnosis.Cause;
import dev.modelwatch.server.diagnosis.CauseKind;
import dev.modelwatch.server.diagnosis.Diagnoser;
import dev.modelwatch.server.diagnosis.Diagnosis;
import dev.modelwatch.server.diagnosis.DiagnosisRequest;
import dev.modelwatch.server.diagnosis.Evidence;
import dev.modelwatch.server.diagnosis.SuggestedAction;
import dev.modelwatch.store.IncidentStore;
import dev.modelwatch.store.StoredIncident;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** What the incident tests share: alert changes, a scripted diagnoser, a store in memory, a recording action runner. */
final class IncidentFixtures {
    private IncidentFixtures() {
    }

    /** Alert labels from {@code k1, v1, k2, v2, ...}. */
    static SeriesLabels labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return SeriesLabels.of(m);
    }

    static AlertTransition fire(SeriesLabels labels, long atMs) {
        return new AlertTransition(AlertFingerprint.of(labels), labels, AlertState.PENDING, AlertState.FIRING, atMs, 0.5,
                AlertTransition.Effect.FIRE, false, "");
    }

    static AlertTransition resolve(SeriesLabels labels, long atMs) {
        return new AlertTransition(AlertFingerprint.of(labels), labels, AlertState.FIRING, AlertState.RESOLVED, atMs,
                0.9, AlertTransition.Effect.RESOLVE, false, "");
    }

    static String id(SeriesLabels labels) {
        return AlertFingerprint.format(AlertFingerprint.of(labels));
    }

    /** The numbers of a scripted cause. */
    record Numbers(double psi, double explained) implements Evidence {
    }

    static Cause cause(CauseKind kind, double score, String feature) {
        return new Cause(kind, score, feature, null, null, kind.wireName() + " of " + feature, new Numbers(0.41, 0.62),
                List.of(new SuggestedAction("retrain", "the inputs moved")), "scripted");
    }

    /** A diagnoser answering {@code causes} for each request it records. */
    static final class ScriptedDiagnoser implements Diagnoser {
        final List<DiagnosisRequest> requests = new CopyOnWriteArrayList<>();
        private final Clock clock;
        volatile Function<DiagnosisRequest, List<Cause>> causes;

        ScriptedDiagnoser(Clock clock, Function<DiagnosisRequest, List<Cause>> causes) {
            this.clock = clock;
            this.causes = causes;
        }

        @Override
        public Diagnosis diagnose(DiagnosisRequest r) {
            requests.add(r);
            return new Diagnosis(r.model(), r.from(), r.to(), r.onset(), causes.apply(r), clock.instant());
        }
    }

    /** The incidents table in memory. */
    static final class MemoryIncidentStore implements IncidentStore {
        final Map<String, StoredIncident> rows = new LinkedHashMap<>();

        @Override
        public synchronized void save(StoredIncident incident) {
            rows.put(incident.id(), incident);
        }

        @Override
        public synchronized int deleteResolvedBefore(long beforeMs) {
            int before = rows.size();
            rows.values().removeIf(r -> r.state().equals("resolved") && r.updatedMs() < beforeMs);
            return before - rows.size();
        }

        @Override
        public synchronized List<StoredIncident> all() {
            List<StoredIncident> out = new ArrayList<>(rows.values());
            out.sort(Comparator.comparingLong(StoredIncident::openedMs).thenComparing(StoredIncident::id));
            return out;
        }
    }

    /** Records each hook run and ends it at once with {@code succeeded}. */
    static final class RecordingRunner implements ActionRunner {
        record Run(ActionConfig.Hook hook, String key, String json) {
        }

        final List<Run> runs = new CopyOnWriteArrayList<>();
        volatile boolean succeeded = true;

        @Override
        public void run(ActionConfig.Hook hook, String idempotencyKey, byte[] json,
                        java.util.function.Consumer<ActionHooks.Outcome> done) {
            runs.add(new Run(hook, idempotencyKey, new String(json, java.nio.charset.StandardCharsets.UTF_8)));
            done.accept(new ActionHooks.Outcome(succeeded, 1, succeeded ? "HTTP 200" : "HTTP 500"));
        }
    }
}
