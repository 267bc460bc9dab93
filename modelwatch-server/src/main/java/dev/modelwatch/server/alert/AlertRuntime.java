package dev.modelwatch.server.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.rules.InstantSample;
import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.alert.delivery.DeliveryQueue;
import dev.modelwatch.server.alert.delivery.DeliveryQueues;
import dev.modelwatch.server.alert.delivery.OutboxPayload;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Dispatcher;
import dev.modelwatch.server.alert.dispatch.Muter;
import dev.modelwatch.server.alert.dispatch.Notification;
import dev.modelwatch.server.alert.inhibit.Inhibitor;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertLifecycle;
import dev.modelwatch.server.alert.lifecycle.AlertRule;
import dev.modelwatch.server.alert.lifecycle.RuleEvaluation;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import dev.modelwatch.server.alert.lifecycle.StepResult;
import dev.modelwatch.server.alert.silence.Silence;
import dev.modelwatch.server.alert.silence.SilenceCounts;
import dev.modelwatch.server.alert.silence.Silencer;
import dev.modelwatch.store.AlertHistoryEntry;
import dev.modelwatch.store.OutboxEntry;
import dev.modelwatch.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running alert pipeline: evaluates every rule on a ticker, steps each rule's alert lifecycle,
 * mutes by silences and inhibition, groups and routes through the {@link Dispatcher}, and queues
 * the notifications its groups decide on in the store's outbox — in the same transaction as the
 * state that decided them, so that a restart neither forgets a firing alert nor notifies it twice.
 * The outbox is delivered by {@link DeliveryQueues}: one queue and worker per receiver integration,
 * retrying by the {@link RetryPolicy}; a notification due before a crash is sent after the restart.
 *
 * <p>One lock guards the pipeline state: evaluation, acknowledgements and silence changes take it
 * in turn (they are rare and short next to ingest).
 */
public final class AlertRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertRuntime.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String RULES = "rules";
    static final String DISPATCHER = "dispatcher";
    static final String SILENCES = "silences";

    /** One way of sending a receiver's notifications (a webhook, an e-mail address, a chat robot). */
    public interface Integration {
        /** A short name for logs and the delivery log, e.g. {@code webhook} (never a secret). */
        String kind();

        /** Whether this integration is told about resolved alerts. */
        boolean sendResolved();

        /** Sends one notification; never throws for a delivery failure. */
        DeliveryResult send(Notification n);
    }

    /**
     * The outcome of one delivery attempt.
     *
     * @param retryAfterMs how long the receiver asked to wait (HTTP 429 Retry-After), 0 for none
     */
    public record DeliveryResult(boolean delivered, boolean retryable, String error, long retryAfterMs) {
        public static DeliveryResult ok() {
            return new DeliveryResult(true, false, null, 0);
        }

        public static DeliveryResult retry(String error) {
            return new DeliveryResult(false, true, error, 0);
        }

        public static DeliveryResult fail(String error) {
            return new DeliveryResult(false, false, error, 0);
        }
    }

    private final AlertingConfig config;
    private final Store store;
    private final SeriesSource source;
    private final IncrementalRuleEvaluator ruleEvaluator;
    private final Clock clock;
    private final Map<String, AlertLifecycle> lifecycles = new LinkedHashMap<>();
    private final Object lock = new Object();
    // pipeline state, guarded by lock
    private Map<String, RuleState> states = new LinkedHashMap<>();
    private Dispatcher dispatcher;
    private volatile List<Silence> silences = new ArrayList<>();
    /** What the API reads of the alerts, replaced after every change of {@link #states}. */
    private volatile AlertView view = AlertView.EMPTY;
    private SilenceCounts silenceCounts = SilenceCounts.EMPTY;
    private Map<String, Object> savedDispatcher = Map.of();
    private long evaluations;
    private volatile boolean closed;
    private Thread evaluator;
    private final DeliveryQueues delivery;
    private final java.util.concurrent.ExecutorService deliveryWorkers;

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

    private final java.util.function.Supplier<java.util.Collection<Long>> windowLengths;
    private final Observer observer;
    private long lastWindowSeenMs = Long.MIN_VALUE;

    public AlertRuntime(AlertingConfig config, Store store, SeriesSource source, Clock clock) {
        this(config, store, source, clock, java.util.List::of, Observer.NONE, DeliveryQueues.newWorkerPool());
    }

    /**
     * @param windowLengths the window lengths of the models (evaluations are also timed to just after
     *                      a window closes, and the lag from a close to its evaluation is measured)
     */
    public AlertRuntime(AlertingConfig config, Store store, SeriesSource source, Clock clock,
                        java.util.function.Supplier<java.util.Collection<Long>> windowLengths, Observer observer,
                        java.util.concurrent.ExecutorService deliveryWorkers) {
        this.deliveryWorkers = deliveryWorkers;
        this.delivery = DeliveryQueues.of(config.receivers(), store, clock, RetryPolicy.DEFAULT,
                java.util.random.RandomGenerator.getDefault(), observer);
        this.windowLengths = windowLengths;
        this.observer = observer;
        this.config = config;
        this.store = store;
        this.source = source;
        this.clock = clock;
        this.ruleEvaluator = new IncrementalRuleEvaluator(source, config.lookbackDeltaMs());
        for (AlertRule r : config.rules()) {
            lifecycles.put(r.name(), new AlertLifecycle(r));
        }
    }

    // ---- start, stop ----

    /** Restores the stored state and starts evaluating and delivering. */
    public void start() {
        start(dev.modelwatch.server.health.WorkerThreads.PLAIN);
    }

    /** Restores the stored state and starts evaluating and delivering, on threads made by {@code threads}. */
    public void start(dev.modelwatch.server.health.WorkerThreads threads) {
        restore();
        evaluator = threads.newThread("alert-evaluator", this::evaluateLoop);
        evaluator.start();
        delivery.start(deliveryWorkers);
    }

    @Override
    public void close() {
        close(java.time.Duration.ofSeconds(10));
    }

    /** Stops evaluating and delivering, waiting at most {@code grace} for an evaluation or delivery under way. */
    public void close(java.time.Duration grace) {
        closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        if (evaluator != null) {
            evaluator.interrupt();
            try {
                evaluator.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (evaluator.isAlive()) {
                log.warn("shutdown: {} did not stop within the grace period; what it was doing is redone after the "
                        + "next start (alert state and the notification outbox are in storage)", evaluator.getName());
            }
        }
        delivery.close();
    }

    @SuppressWarnings("unchecked")
    void restore() {
        synchronized (lock) {
            Map<String, Object> rules = read(RULES);
            for (AlertRule r : config.rules()) {
                Object s = rules.get(r.name());
                states.put(r.name(), s instanceof Map<?, ?> m ? RuleState.fromMap(m) : RuleState.initial(r.name()));
            }
            view = AlertView.of(states);
            dispatcher = Dispatcher.create(route());
            Map<String, Object> d = read(DISPATCHER);
            if (!d.isEmpty() && config.route() != null) {
                try {
                    dispatcher = Dispatcher.fromMap(d, route());
                    savedDispatcher = dispatcher.toMap();
                } catch (RuntimeException e) {
                    log.warn("the stored alert groups do not fit the configured routes ({}); starting with empty groups",
                            e.getMessage());
                }
            }
            Map<String, Object> s = read(SILENCES);
            if (s.get("silences") instanceof List<?> list) {
                for (Object o : list) {
                    silences.add(Silence.fromMap((Map<?, ?>) o));
                }
            }
            if (s.get("counts") instanceof Map<?, ?> c) {
                silenceCounts = SilenceCounts.fromMap(c);
            }
        }
    }

    private dev.modelwatch.server.alert.dispatch.Route route() {
        return config.route() != null ? config.route() : NO_ROUTE;
    }

    /** Without a route section alerts are kept and shown but routed to no receiver. */
    private static final dev.modelwatch.server.alert.dispatch.Route NO_ROUTE = dev.modelwatch.server.alert.dispatch.Route.of(
            dev.modelwatch.server.alert.dispatch.RouteConfig.parse(dev.modelwatch.server.alert.lifecycle.ConfigNode.root(
                    Map.of("receiver", "none"), "route", new dev.modelwatch.server.alert.lifecycle.ConfigProblems())));

    @SuppressWarnings("unchecked")
    private Map<String, Object> read(String name) {
        Optional<byte[]> bytes = store.alertingState(name);
        if (bytes.isEmpty()) {
            return Map.of();
        }
        try {
            return JSON.readValue(bytes.get(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt alerting state " + name, e);
        }
    }

    private static byte[] json(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- evaluation ----

    private void evaluateLoop() {
        while (!closed) {
            long started = clock.millis();
            long t0 = System.nanoTime();
            try {
                evaluateOnce(started);
                observeLag(started);
            } catch (RuntimeException e) {
                log.warn("alert evaluation failed (retrying next interval): {}", e.toString());
            }
            observer.onEvaluation(System.nanoTime() - t0);
            // the next evaluation: at the ticker, or just after the next window of any model closes
            long now = clock.millis();
            long next = started + config.evaluationIntervalMs();
            for (long w : windowLengths.get()) {
                next = Math.min(next, Math.floorDiv(now, w) * w + w + WINDOW_CLOSE_GRACE_MS);
            }
            try {
                Thread.sleep(Math.max(5, next - now));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Evaluations after a window's close wait this long for its last in-flight events. */
    static final long WINDOW_CLOSE_GRACE_MS = 20;

    /** Measures, for the newest window end (of any model's length) closed since the last evaluation, how late it was seen. */
    private void observeLag(long evaluatedAtMs) {
        long newest = Long.MIN_VALUE;
        for (long w : windowLengths.get()) {
            newest = Math.max(newest, Math.floorDiv(evaluatedAtMs, w) * w);
        }
        if (newest != Long.MIN_VALUE && newest > lastWindowSeenMs) {
            if (lastWindowSeenMs != Long.MIN_VALUE) {
                observer.onEvaluationLag((evaluatedAtMs - newest) / 1000.0);
            }
            lastWindowSeenMs = newest;
        }
    }

    /**
     * One evaluation of every rule at {@code nowMs}, then the dispatcher's flush; the new state and
     * the notifications it decided on are stored together before they replace the old state.
     */
    public void evaluateOnce(long nowMs) {
        synchronized (lock) {
            Map<String, RuleState> next = new LinkedHashMap<>();
            List<Alert> alerts = new ArrayList<>();
            List<AlertHistoryEntry> history = new ArrayList<>();
            IncrementalRuleEvaluator.Pass pass = ruleEvaluator.pass(nowMs, clock.millis());
            for (AlertRule r : config.rules()) {
                RuleEvaluation eval;
                try {
                    List<InstantSample> samples = pass.evaluate(r);
                    eval = RuleEvaluation.of(samples);
                } catch (RuntimeException e) {
                    eval = RuleEvaluation.failed(e);
                }
                StepResult step = lifecycles.get(r.name()).step(states.get(r.name()), eval, nowMs);
                next.put(r.name(), step.state());
                alerts.addAll(Alert.ofStep(step, nowMs));
                for (dev.modelwatch.server.alert.lifecycle.AlertTransition t : step.transitions()) {
                    if (t.from() != t.to()) {
                        history.add(new AlertHistoryEntry(AlertFingerprint.format(t.fingerprint()), r.name(),
                                new String(json(t.labels().asMap()), java.nio.charset.StandardCharsets.UTF_8),
                                t.from().name().toLowerCase(java.util.Locale.ROOT),
                                t.to().name().toLowerCase(java.util.Locale.ROOT), t.value(), t.atMs()));
                    }
                }
            }
            Silencer silencer = Silencer.of(activeSilences(nowMs), silenceCounts);
            Map<String, Muter> muters = new LinkedHashMap<>();
            muters.put("silenced", silencer);
            muters.put("inhibited", Inhibitor.of(config.inhibitRules(), alerts));
            Dispatcher routed = dispatcher.ingest(alerts, muters, nowMs);
            Dispatcher.Tick tick = routed.tick(nowMs, this::sendsResolved);
            List<OutboxEntry> outbox = new ArrayList<>();
            for (Notification n : tick.notifications()) {
                // queued for every integration, also when it has nothing to show (resolved, send_resolved off):
                // its delivery queue then drops the group's older firing notifications instead of sending them late
                List<Integration> integrations = config.receivers().getOrDefault(n.receiver(), List.of());
                String ids = n.alerts().stream().map(Alert::id).collect(Collectors.joining(","));
                for (int i = 0; i < integrations.size(); i++) {
                    outbox.add(OutboxEntry.pending(n.receiver(), n.groupKey().toString(), ids,
                            new OutboxPayload(i, n).encode(), nowMs));
                }
            }
            // store what changed: alerts, groups or silence counts (an evaluation that changed nothing but
            // its own time writes nothing, so that idle rules cost the database no commits)
            Map<String, byte[]> docs = new LinkedHashMap<>();
            if (!sameInstances(states, next)) {
                Map<String, Object> rules = new LinkedHashMap<>();
                next.forEach((k, v) -> rules.put(k, v.toMap()));
                docs.put(RULES, json(rules));
            }
            Map<String, Object> groups = tick.dispatcher().toMap();
            if (!groups.equals(savedDispatcher)) {
                docs.put(DISPATCHER, json(groups));
            }
            if (!silencer.counts().equals(silenceCounts)) {
                docs.put(SILENCES, json(silencesDoc(silencer.counts())));
            }
            if (!docs.isEmpty() || !outbox.isEmpty() || !history.isEmpty()) {
                store.saveAlerting(docs, outbox, history, nowMs);
            }
            savedDispatcher = groups;
            states = next;
            view = AlertView.of(next);
            dispatcher = tick.dispatcher();
            silenceCounts = silencer.counts();
            evaluations++;
            if (!outbox.isEmpty()) {
                delivery.wake();
            }
        }
    }

    private static boolean sameInstances(Map<String, RuleState> a, Map<String, RuleState> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, RuleState> e : a.entrySet()) {
            RuleState other = b.get(e.getKey());
            if (!sameIgnoringLastSeen(e.getValue().instances(), other.instances())
                    || !java.util.Objects.equals(e.getValue().lastError(), other.lastError())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether two rules' instances differ in no more than when each series was last seen: that only
     * matters within the step that sets it, so a pass that changed nothing else stores nothing (with
     * thousands of firing alerts, rewriting them all each pass was most of an idle pass's cost).
     */
    private static boolean sameIgnoringLastSeen(Map<Long, AlertInstance> a, Map<Long, AlertInstance> b) {
        if (a.equals(b)) {
            return true;
        }
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<Long, AlertInstance> e : a.entrySet()) {
            AlertInstance x = e.getValue();
            AlertInstance y = b.get(e.getKey());
            if (!x.equals(y) && !x.toBuilder().lastSeenMs(null).build().equals(y.toBuilder().lastSeenMs(null).build())) {
                return false;
            }
        }
        return true;
    }

    private boolean sendsResolved(String receiver) {
        return config.receivers().getOrDefault(receiver, List.of()).stream().anyMatch(Integration::sendResolved);
    }

    private List<Silence> activeSilences(long nowMs) {
        return silences.stream().filter(s -> s.endsAtMs() > nowMs).toList();
    }

    private Map<String, Object> silencesDoc(SilenceCounts counts) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("silences", silences.stream().map(Silence::toMap).toList());
        doc.put("counts", counts.toMap());
        return doc;
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
     * A page of alerts.
     *
     * @param alerts the alerts of the page, in the order of {@code GET /api/v1/alerts}
     * @param last   the position of the page's last alert when more follow (the next page starts after it), else null
     */
    public record AlertPage(List<AlertView.Entry> alerts, AlertPosition last) {
    }

    /** Where an alert lies in the order of {@code GET /api/v1/alerts}: its rule, then its id. */
    public record AlertPosition(String rule, String id) {
    }

    /**
     * Up to {@code limit} alerts filtered by state and model (null: any), after {@code after} (null:
     * from the first) in the order of rules, then ids. Reads the last published state: never waits for
     * an evaluation under way.
     */
    public AlertPage alerts(String state, String model, AlertPosition after, int limit) {
        AlertView v = view;
        Map<String, Integer> ruleIndex = new java.util.HashMap<>();
        int n = 0;
        for (AlertRule r : config.rules()) {
            ruleIndex.put(r.name(), n++);
        }
        List<AlertView.Entry> entries = v.entries();
        int from = after == null ? 0 : v.indexAfter(ruleIndex.getOrDefault(after.rule(), -1), after.id());
        List<AlertView.Entry> out = new ArrayList<>();
        AlertPosition last = null;
        AlertView.Entry lastAdded = null;
        for (int i = from; i < entries.size(); i++) {
            AlertInstance a = entries.get(i).alert();
            String s = a.state().name().toLowerCase(java.util.Locale.ROOT);
            if ((state != null && !state.equals(s)) || (model != null && !model.equals(a.labels().get("model")))) {
                continue;
            }
            if (out.size() == limit) {
                last = new AlertPosition(lastAdded.rule(), lastAdded.alert().id());
                break;
            }
            lastAdded = entries.get(i);
            out.add(lastAdded);
        }
        return new AlertPage(out, last);
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

    /** Every silence, expired ones included. */
    public List<Silence> silences() {
        synchronized (lock) {
            return List.copyOf(silences);
        }
    }

    /** How many alerts each silence suppressed. */
    public SilenceCounts silenceCounts() {
        synchronized (lock) {
            return silenceCounts;
        }
    }

    /** Acknowledges an alert: who, when, why; escalation stops. False when no alert has this id. */
    public boolean acknowledge(String id, String by, String comment) {
        synchronized (lock) {
            long now = clock.millis();
            for (Map.Entry<String, RuleState> r : states.entrySet()) {
                if (r.getValue().instance(id) == null) {
                    continue;
                }
                StepResult step = lifecycles.get(r.getKey()).ack(r.getValue(), id, by, comment, now);
                Map<String, RuleState> next = new LinkedHashMap<>(states);
                next.put(r.getKey(), step.state());
                Map<String, Object> rules = new LinkedHashMap<>();
                next.forEach((k, v) -> rules.put(k, v.toMap()));
                store.saveAlerting(Map.of(RULES, json(rules)), List.of(), List.of(), now);
                states = next;
                view = AlertView.of(next);
                return true;
            }
            return false;
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
            String id = UUID.randomUUID().toString();
            List<String> problems = Silence.problems(id, matchers, startsAtMs, endsAtMs, createdBy);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            Silence s = new Silence(id, matchers, startsAtMs, endsAtMs, createdBy, comment);
            List<Silence> next = new ArrayList<>(silences);
            next.add(s);
            saveSilences(next);
            return s;
        }
    }

    /** Expires a silence now (it stays listed, as expired); false when there is none with this id. */
    public boolean expireSilence(String id) {
        synchronized (lock) {
            long now = clock.millis();
            List<Silence> next = new ArrayList<>();
            boolean found = false;
            for (Silence s : silences) {
                if (s.id().equals(id) && s.endsAtMs() > now) {
                    found = true;
                    next.add(new Silence(s.id(), s.matchers(), Math.min(s.startsAtMs(), now), now, s.createdBy(),
                            s.comment()));
                } else {
                    found |= s.id().equals(id);
                    next.add(s);
                }
            }
            if (found) {
                saveSilences(next);
            }
            return found;
        }
    }

    private void saveSilences(List<Silence> next) {
        List<Silence> before = silences;
        silences = next;
        try {
            store.saveAlerting(Map.of(SILENCES, json(silencesDoc(silenceCounts))), List.of(), List.of(), clock.millis());
        } catch (RuntimeException e) {
            silences = before;
            throw e;
        }
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

    /** The fingerprint id an alert with these labels has (for tests and tools). */
    public static String idOf(SeriesLabels labels) {
        return AlertFingerprint.format(AlertFingerprint.of(labels));
    }

}
