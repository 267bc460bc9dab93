package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.alert.delivery.DeliveryQueue;
import dev.modelwatch.server.alert.delivery.DeliveryQueues;
import dev.modelwatch.server.alert.dispatch.Dispatcher;
import dev.modelwatch.server.alert.dispatch.StoredDispatcher;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.server.alert.lifecycle.AlertLifecycle;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.alert.silence.SilenceCounts;
import dev.modelwatch.server.health.WorkerThreads;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The running alert pipeline: holds its state, has it evaluated by an {@link EvaluationLoop} (each
 * pass an {@link EvaluationPass}), and stores each pass's new state together with the notifications
 * it decided on in the store's outbox — in one transaction, so that a restart ({@link AlertStateCodec})
 * neither forgets a firing alert nor notifies it twice. The outbox is delivered by
 * {@link DeliveryQueues}: one queue and worker per receiver integration, retrying by the
 * {@link RetryPolicy}; a notification due before a crash is sent after the restart.
 *
 * <p>One lock guards the pipeline state: evaluation, acknowledgements and silence changes take it
 * in turn (they are rare and short next to ingest). Time, randomness and threads come from the
 * wiring:
 * <pre>{@code
 * AlertRuntime alerts = AlertRuntime.builder(config, store, source).clock(clock).random(random).build();
 * alerts.start(workers, DeliveryQueues.newWorkerPool(workers));
 * }</pre>
 */
public final class AlertRuntime implements AutoCloseable {
    static final String RULES = AlertStateCodec.RULES;
    static final String SILENCES = AlertStateCodec.SILENCES;

    /**
     * What the runtime reports about itself: each window's close-to-evaluation lag, each evaluation's
     * duration, each delivery attempt's outcome.
     */
    public interface Observer {
        Observer NONE = new Observer() {
        };

        default void onEvaluationLag(double seconds) {
        }

        default void onEvaluation(long nanos) {
        }

        default void onDelivery(String outcome) {
        }
    }

    private final AlertingConfig config;
    private final Store store;
    private final IncrementalRuleEvaluator ruleEvaluator;
    private final Clock clock;
    private final Map<String, AlertLifecycle> lifecycles = new LinkedHashMap<>();
    private final EvaluationPass pass;
    private final EvaluationLoop loop;
    private final DeliveryQueues delivery;
    private final Object lock = new Object();
    private final AlertListener listener;
    // pipeline state, written under lock; silences, view and silenceCounts are also published for reads without it
    private Map<String, RuleState> states = new LinkedHashMap<>();
    private Dispatcher dispatcher;
    private volatile List<Silence> silences = List.of();
    /** What the API reads of the alerts, replaced after every change of {@link #states}. */
    private volatile AlertView view = AlertView.EMPTY;
    private volatile SilenceCounts silenceCounts = SilenceCounts.EMPTY;
    private StoredDispatcher savedDispatcher;
    private long evaluations;
    /** Each rule's position in the configuration: the order of {@code GET /api/v1/alerts}. */
    private final Map<String, Integer> ruleIndex = new HashMap<>();

    AlertRuntime(AlertRuntimeBuilder b) {
        this.config = b.config;
        this.store = b.store;
        this.clock = b.clock;
        this.listener = b.listener;
        this.ruleEvaluator = new IncrementalRuleEvaluator(b.source, config.lookbackDeltaMs());
        int n = 0;
        for (AlertRule r : config.rules()) {
            lifecycles.put(r.name(), new AlertLifecycle(r));
            ruleIndex.put(r.name(), n++);
        }
        this.pass = new EvaluationPass(config, lifecycles, ruleEvaluator, clock);
        this.loop = new EvaluationLoop(clock, new EvaluationSchedule(config.evaluationIntervalMs(), b.windowLengths),
                this::evaluateOnce, b.observer);
        this.delivery = DeliveryQueues.of(config.receivers(), store, clock, b.retryPolicy, b.random, b.observer);
    }

    /**
     * A builder of the runtime of {@code config}, storing in {@code store} and reading series from
     * {@code source}; its clock and random source must be set.
     */
    public static AlertRuntimeBuilder builder(AlertingConfig config, Store store, SeriesSource source) {
        return new AlertRuntimeBuilder(config, store, source);
    }

    // ---- start, stop ----

    /**
     * Restores the stored state and starts evaluating, on a thread made by {@code threads}, and
     * delivering, on {@code deliveryWorkers} (which must run one task per receiver integration plus
     * one at once, and is shut down by {@link #close}).
     */
    public void start(WorkerThreads threads, ExecutorService deliveryWorkers) {
        restore();
        listener.onRestored(view.entries().stream().map(AlertView.Entry::alert).filter(AlertInstance::notifying).toList(),
                clock.millis());
        loop.start(threads);
        delivery.start(deliveryWorkers);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Stops evaluating and delivering, waiting at most {@code grace} for an evaluation under way. */
    public void close(Duration grace) {
        loop.close(grace);
        delivery.close();
    }

    /** Replaces the pipeline state by the stored one (at start). */
    void restore() {
        synchronized (lock) {
            PipelineState s = AlertStateCodec.restore(store, config, config.routeOrNone());
            states = new LinkedHashMap<>(s.rules());
            view = AlertView.of(states);
            dispatcher = s.dispatcher();
            savedDispatcher = s.savedDispatcher();
            silences = List.copyOf(s.silences());
            silenceCounts = s.silenceCounts();
        }
    }

    // ---- evaluation ----

    /**
     * One evaluation of every rule at {@code nowMs}, then the dispatcher's flush; the new state and
     * the notifications it decided on are stored together before they replace the old state.
     */
    public void evaluateOnce(long nowMs) {
        synchronized (lock) {
            EvaluationPass.Outcome o = pass.run(
                    new PipelineState(states, dispatcher, savedDispatcher, silences, silenceCounts), nowMs);
            if (o.writes()) {
                store.saveAlerting(o.documents(), o.outbox(), o.history(), nowMs);
            }
            PipelineState next = o.next();
            savedDispatcher = next.savedDispatcher();
            states = next.rules();
            view = AlertView.of(states);
            dispatcher = next.dispatcher();
            silenceCounts = next.silenceCounts();
            evaluations++;
            if (!o.changes().isEmpty()) {
                listener.onTransitions(o.changes(), nowMs);
            }
            if (!o.outbox().isEmpty()) {
                delivery.wake();
            }
        }
    }

    // ---- delivery ----

    /** The delivery queues, one per receiver integration (for metrics). */
    public List<DeliveryQueue> deliveryQueues() {
        return delivery.queues();
    }

    // ---- reads and changes for the API ----

    /** Every alert instance of every rule, filtered by state ({@code pending|firing|resolved|...}) and model. */
    public List<AlertView.Entry> alerts(String state, String model) {
        return alerts(state, model, null, Integer.MAX_VALUE).alerts();
    }

    /**
     * Up to {@code limit} alerts filtered by state and model (null: any), after {@code after} (null:
     * from the first) in the order of rules, then ids. Reads the last published state: never waits for
     * an evaluation under way.
     */
    public AlertView.Page alerts(String state, String model, AlertView.Position after, int limit) {
        return view.page(ruleIndex, state, model, after, limit);
    }

    /** The firing alerts of a model, as its health shows them; reads the last published state. */
    public List<AlertView.FiringAlert> firing(String model) {
        return view.firing(model);
    }

    /** The alerts as last published (after the last evaluation or acknowledgement); never waits for one under way. */
    public AlertView view() {
        return view;
    }

    /** The rules, routes and receivers this runtime runs. */
    public AlertingConfig config() {
        return config;
    }

    /** The rules' states as last evaluated, in the order of the rules. */
    public Map<String, RuleState> ruleStates() {
        synchronized (lock) {
            return new LinkedHashMap<>(states);
        }
    }

    /**
     * Every silence, expired ones included, as last saved: never waits for an evaluation under way (the
     * alerts list and the dashboard's live feed read it while rules are evaluated).
     */
    public List<Silence> silences() {
        return silences;
    }

    /** How many alerts each silence suppressed, as last published; never waits for an evaluation under way. */
    public SilenceCounts silenceCounts() {
        return silenceCounts;
    }

    /** Acknowledges an alert: who, when, why; escalation stops. False when no alert has this id. */
    public boolean acknowledge(String id, String by, String comment) {
        synchronized (lock) {
            long now = clock.millis();
            AlertChanges.Acknowledged acked = AlertChanges.acknowledge(states, lifecycles, id, by, comment, now);
            if (acked != null) {
                Map<String, RuleState> next = acked.states();
                store.saveAlerting(Map.of(RULES, AlertStateCodec.rules(next)), List.of(), List.of(), now);
                states = next;
                view = AlertView.of(next);
                for (AlertTransition t : acked.step().transitions()) {
                    AlertInstance instance = acked.step().state().instance(id);
                    if (instance != null && instance.acknowledgement() != null) {
                        listener.onAcknowledged(t, instance.acknowledgement());
                    }
                }
            }
            return acked != null;
        }
    }

    /**
     * Adds a silence.
     *
     * @return the silence added
     * @throws IllegalArgumentException with every problem that rejects it, joined by "; "
     */
    public Silence addSilence(List<LabelMatcher> matchers, long startsAtMs, long endsAtMs, String createdBy,
                              String comment) {
        synchronized (lock) {
            List<Silence> next = AlertChanges.add(silences, matchers, startsAtMs, endsAtMs, createdBy, comment);
            saveSilences(next);
            return next.get(next.size() - 1);
        }
    }

    /** Expires a silence now (it stays listed, as expired); false when there is none with this id. */
    public boolean expireSilence(String id) {
        synchronized (lock) {
            List<Silence> next = AlertChanges.expire(silences, id, clock.millis());
            if (next != null) {
                saveSilences(next);
            }
            return next != null;
        }
    }

    /** Saves the silences, then publishes them (readers never see a list the store refused). */
    private void saveSilences(List<Silence> next) {
        store.saveAlerting(Map.of(SILENCES, AlertStateCodec.silences(next, silenceCounts)), List.of(), List.of(), clock.millis());
        silences = List.copyOf(next);
    }

    /**
     * Per-model rule evaluations since the start: {@code evaluated} queried a model's series,
     * {@code reused} kept its last result because nothing it depends on changed.
     */
    public Map<String, Long> modelEvaluations() {
        synchronized (lock) {
            return Map.of("evaluated", ruleEvaluator.modelsEvaluated(), "reused", ruleEvaluator.modelsReused());
        }
    }

    /** Evaluations completed since start. */
    public long evaluations() {
        synchronized (lock) {
            return evaluations;
        }
    }
}
