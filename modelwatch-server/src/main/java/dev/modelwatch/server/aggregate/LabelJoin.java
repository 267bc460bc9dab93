package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.LabelEvent;
import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.PendingPrediction;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.store.EarlyLabel;
import dev.modelwatch.store.PendingRows;
import dev.modelwatch.store.PendingStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Adds single events to the generation being filled: each prediction to the profiles of its
 * window, each label joined to its prediction in either order, looked up in memory and, in one
 * batched lookup per model, among the pending rows.
 */
final class LabelJoin {
    /** The estimated heap of a buffered metric event. */
    private static final long EVENT_ROW_BYTES = 512;

    private final RuntimeState state;
    private final PendingStore pending;
    private final KnownIds knownIds;
    private final LimitFolding folding;
    private final SharedValues strings;
    private final SketchSettings sketches;
    private final SketchSettings segmentSketches;
    /** Makes the profile updates, on more than one thread (see {@link ProfileUpdates}). */
    private final ProfileUpdates updates;
    private Map<String, Map<String, PendingPrediction>> storedPredictions = Map.of();
    private Map<String, Map<String, EarlyLabel>> storedEarlyLabels = Map.of();
    /**
     * For each event of the list being applied, by its index: whether its id might have been known
     * before it ({@link #checkKnown}); null while a replay is applied, whose events ask the filter
     * as they are applied.
     */
    private boolean[] known;
    /** Set while a replayed event is applied to the pending rows only. */
    private boolean pendingOnly;
    /**
     * The profiles of the active generation that events add to, by their shared segment map
     * instance (see {@link SharedValues}): consecutive events of a model mostly share model,
     * version, segments and window, and then need neither keys nor map lookups. Kept for one list
     * of events.
     */
    private final Map<Map<String, String>, ProfileSlot[]> slots = new IdentityHashMap<>();
    /**
     * The slots kept per segment map: events of a segment alternate between versions and windows
     * (events a few minutes late span several one-minute windows, each of two versions during a
     * roll-out). A slot that does not hold an event fails at its first comparison, the window start.
     */
    private static final int SLOTS_PER_SEGMENTS = 8;
    private static final int MAX_SLOTS = 1_024;
    /**
     * The model of the last prediction applied and what its next one needs: consecutive events
     * mostly belong to the same model, and then need no lookups by model name. Valid while
     * {@link #cachedGeneration} is the active generation with {@link #cachedReplaced} changes, and
     * forgotten with each list of events (tasks between lists may change the models).
     */
    private String cachedModel;
    private ModelState cachedState;
    private ModelAdmissions cachedAdmissions;
    private Generation cachedGeneration;
    private int cachedReplaced;
    /** The cached model's pending predictions in the active generation; null until it has one. */
    private PendingRows cachedPredictions;
    /** Whether the cached model is among the active generation's dirty models. */
    private boolean cachedDirty;
    /**
     * Per model, the number of pending predictions its rows had when last let go of: the rows of the next
     * generation start with room for about as many, and do not grow through a dozen copies of their tables.
     */
    private final Map<String, Integer> pendingSizes = new HashMap<>();
    private static final int MAX_PENDING_SIZE_HINT = 1 << 20;
    /** The models last added to the touched and labelled sets of the list of events being applied. */
    private String lastTouched;
    private String lastLabelled;

    /** The keys and profiles of one (model, version, segments, window) in one state of a generation's profiles. */
    private record ProfileSlot(String model, String version, long windowMs, long windowStart, Generation generation,
                               int replaced, ProfileKey[] keys, WindowProfile[] profiles) {
        boolean holds(String m, String v, long ms, long start, Generation g) {
            return windowStart == start && generation == g && replaced == g.deltasReplaced && windowMs == ms
                    && model.equals(m) && version.equals(v);
        }
    }

    LabelJoin(RuntimeState state, PendingStore pending, KnownIds knownIds, LimitFolding folding, SharedValues strings,
              SketchSettings sketches, ProfileUpdates updates) {
        this.state = state;
        this.pending = pending;
        this.knownIds = knownIds;
        this.folding = folding;
        this.strings = strings;
        this.sketches = sketches;
        this.segmentSketches = sketches.forSegments();
        this.updates = updates;
    }

    /** Whether the events applied next rebuild the pending rows only (the store holds their profiles). */
    void pendingOnly(boolean only) {
        this.pendingOnly = only;
    }

    /**
     * Starts a list of events: forgets what was cached of the models and generations before it.
     *
     * @param known the answers of {@link #checkKnown} for the list, or null to ask the filter per event
     */
    void startList(boolean[] known) {
        this.known = known;
        forgetModel();
        lastTouched = null;
        lastLabelled = null;
    }

    /** Forgets the cached model (the models or the generations may have changed in between). */
    void forgetModel() {
        notePendingSize();
        cachedModel = null;
        cachedState = null;
        cachedAdmissions = null;
        cachedGeneration = null;
        cachedPredictions = null;
    }

    /** Forgets the stored rows looked up for the last list of events, and applies later events fully. */
    void batchDone() {
        startList(null);
        pendingOnly = false;
        slots.clear(); // holds no profile past the list of events, when a commit may take the generation away
        storedPredictions = Map.of();
        storedEarlyLabels = Map.of();
    }

    /**
     * Adds the ids of a list of events to the filter of known ids, in one pass over it (the filter's
     * bits miss the cache: a second pass per event costs as much again), and answers for each event
     * whether its id might have been known before it. The filter then holds what it would hold had
     * each event been applied in turn (a label's id is in it once the label is applied, either way),
     * so the answers are the ones the events would have had when applied; an id the filter holds
     * early only ever costs a lookup. Asks no storage, so that it runs once for a list applied again
     * after storage failed.
     */
    boolean[] checkKnown(List<Event> events) {
        boolean[] answers = new boolean[events.size()];
        for (int i = 0; i < answers.length; i++) {
            Event e = events.get(i);
            if (e instanceof PredictionEvent p) {
                answers[i] = p.id() != null && knownIds.addAndCheck(p.model(), p.id());
            } else if (e instanceof LabelEvent l) {
                answers[i] = knownIds.markAndCheck(l.model(), l.id());
            }
        }
        return answers;
    }

    /**
     * Applies one event; false when it was a replay of one already counted.
     *
     * @param index its index in the list of events (see {@link #startList})
     */
    boolean applyOne(Event e, int index, Set<String> touched, Set<String> labelled) {
        if (e instanceof PredictionEvent p) {
            if (!p.model().equals(lastTouched)) {
                touched.add(p.model());
                lastTouched = p.model();
            }
            return applyPrediction(p, index);
        }
        if (e instanceof LabelEvent l) {
            if (!l.model().equals(lastLabelled)) {
                labelled.add(l.model());
                lastLabelled = l.model();
            }
            return applyLabel(l, index);
        }
        // a training event is not kept as a row: its run's curves are built and stored by the training runs
        if (!pendingOnly && e instanceof MetricEvent m) {
            state.active.metrics.add(m);
            state.active.buffered.rowAdded(EVENT_ROW_BYTES);
        }
        return true;
    }

    private boolean inMemory(String model, String id) {
        Generation committing = state.committing;
        return contains(state.active, model, id) || (committing != null && contains(committing, model, id));
    }

    private static boolean contains(Generation g, String model, String id) {
        PendingRows rows = g.predictions.get(model);
        return rows != null && rows.contains(id);
    }

    /**
     * One batched storage lookup per model for the ids the list's events from {@code from} on need
     * and memory lacks: those the filter might know (by the list's answers when {@link #startList}
     * was given them).
     */
    void lookUpStored(List<Event> events, int from) {
        Map<String, Set<String>> ids = new HashMap<>();
        for (int i = from; i < events.size(); i++) {
            if (known != null && !known[i]) {
                continue; // a new id, nearly every one: the event itself (not in the cache by now) is not read
            }
            Event e = events.get(i);
            if (e instanceof PredictionEvent p && p.id() != null) {
                if (mightBeKnown(i, p.model(), p.id()) && !inMemory(p.model(), p.id())) {
                    ids.computeIfAbsent(p.model(), k -> new LinkedHashSet<>()).add(p.id());
                }
            } else if (e instanceof LabelEvent l && mightBeKnown(i, l.model(), l.id())
                    && !inMemory(l.model(), l.id())) {
                ids.computeIfAbsent(l.model(), k -> new LinkedHashSet<>()).add(l.id());
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        Map<String, Map<String, PendingPrediction>> foundPredictions = new HashMap<>();
        Map<String, Map<String, EarlyLabel>> foundLabels = new HashMap<>();
        ids.forEach((model, set) -> {
            foundPredictions.put(model, pending.findPredictions(model, set));
            foundLabels.put(model, pending.findEarlyLabels(model, set));
        });
        storedPredictions = foundPredictions;
        storedEarlyLabels = foundLabels;
    }

    /** Whether the id of the list's event {@code index} might have been known before it; asks no more than that. */
    private boolean mightBeKnown(int index, String model, String id) {
        return known != null ? known[index] : knownIds.mightContain(model, id);
    }

    private PendingPrediction findPrediction(String model, String id) {
        Generation committing = state.committing;
        PendingPrediction p = find(state.active, model, id);
        if (p == null && committing != null) {
            p = find(committing, model, id);
        }
        return p != null ? p : storedPredictions.getOrDefault(model, Map.of()).get(id);
    }

    private static PendingPrediction find(Generation g, String model, String id) {
        PendingRows rows = g.predictions.get(model);
        return rows == null ? null : rows.get(id);
    }

    private EarlyLabel findEarlyLabel(String model, String id) {
        Generation active = state.active;
        Generation committing = state.committing;
        if (active.joined.getOrDefault(model, Set.of()).contains(id)
                || (committing != null && committing.joined.getOrDefault(model, Set.of()).contains(id))) {
            return null;
        }
        EarlyLabel l = active.earlyLabels.getOrDefault(model, Map.of()).get(id);
        if (l == null && committing != null) {
            l = committing.earlyLabels.getOrDefault(model, Map.of()).get(id);
        }
        return l != null ? l : storedEarlyLabels.getOrDefault(model, Map.of()).get(id);
    }

    private boolean applyPrediction(PredictionEvent e, int index) {
        // every id in memory or in the pending store is in the filter: a new id, nearly every
        // one, needs none of the lookups in the generations' maps. It entered the filter with the
        // list ({@link #checkKnown}) or enters it here, with the same pass over its bits; should the
        // event then be refused, the id only costs a lookup
        boolean maybeKnown = e.id() != null
                && (known != null ? known[index] : knownIds.addAndCheck(e.model(), e.id()));
        if (maybeKnown && findPrediction(e.model(), e.id()) != null) {
            return false;
        }
        Generation active = state.active;
        ModelState model = modelOf(e, active);
        LimitFolding.Counted counted = folding.withinLimits(e, model, cachedAdmissions, active);
        e = counted.event();
        long windowMs = model.spec.windowMs();
        long windowStart = Math.floorDiv(e.timestampMs(), windowMs) * windowMs;
        String version = counted.version();
        Map<String, String> segments = counted.segments();
        if (!pendingOnly) {
            model.seen(e.timestampMs(), version);
            if (!cachedDirty) {
                active.dirtyModels.add(e.model());
                cachedDirty = true;
            }
            String positiveClass = model.spec.task() == ModelTask.BINARY_CLASSIFICATION
                    ? model.spec.positiveClass() : null;
            ProfileSlot slot = profiles(e, segments, windowMs, windowStart, active);
            for (int i = 0; i < slot.keys.length; i++) {
                updates.addPrediction(slot.keys[i], slot.profiles[i], e, positiveClass);
            }
        }
        if (e.id() == null) {
            return true;
        }
        // a pending prediction is encoded into the generation's rows at once (see PendingRows): until its
        // commit it takes about 100 bytes and no objects
        PendingPrediction pending = new PendingPrediction(model.spec.name(), e.id(), version,
                e.timestampMs(), windowStart, windowMs, segments,
                strings.intern(e.predictedClass()), e.prediction() instanceof Double d ? d : Double.NaN,
                e.score(), e.scores(), false);
        EarlyLabel early = maybeKnown ? findEarlyLabel(e.model(), e.id()) : null;
        if (early != null) {
            addOutcome(pending, early.label(), model.spec);
            pending = pending.asLabeled();
            Map<String, EarlyLabel> activeEarly = active.earlyLabels.get(e.model());
            if (activeEarly != null) {
                activeEarly.remove(e.id());
            }
            active.joined.computeIfAbsent(e.model(), k -> new HashSet<>()).add(e.id());
            active.buffered.rowAdded(BufferedBytes.rowBytes(e.id()));
        }
        if (cachedPredictions == null) {
            cachedPredictions = active.predictions.computeIfAbsent(e.model(), this::newPendingRows);
        }
        // new here: the filter did not know the id, or no generation nor the pending store held it
        active.buffered.rowAdded(cachedPredictions.putNew(pending));
        return true;
    }

    /** New pending rows of {@code model}, with room for as many as its last ones had. */
    private PendingRows newPendingRows(String model) {
        return new PendingRows(model, Math.min(pendingSizes.getOrDefault(model, 0), MAX_PENDING_SIZE_HINT));
    }

    private void notePendingSize() {
        if (cachedPredictions != null && cachedModel != null) {
            if (pendingSizes.size() >= MAX_SLOTS && !pendingSizes.containsKey(cachedModel)) {
                pendingSizes.clear();
            }
            pendingSizes.put(cachedModel, cachedPredictions.size());
        }
    }

    /**
     * The state of the prediction's model (made on its first event), its admissions cached with it;
     * looked up by name only when the model or the active generation differ from the last prediction's.
     */
    private ModelState modelOf(PredictionEvent e, Generation active) {
        if (cachedGeneration == active && cachedReplaced == active.deltasReplaced && e.model().equals(cachedModel)) {
            return cachedState;
        }
        ModelState model = state.models.get(e.model());
        if (model == null) {
            ModelSpec spec = ModelSpec.infer(e.model(), e.scores() != null, e.score() != null, e.prediction());
            model = new ModelState(spec, Long.MAX_VALUE, Long.MIN_VALUE, 0, new TreeSet<>());
            state.models.put(e.model(), model);
        }
        notePendingSize();
        cachedModel = e.model();
        cachedState = model;
        cachedAdmissions = folding.admissionsOf(e.model());
        cachedGeneration = active;
        cachedReplaced = active.deltasReplaced;
        cachedPredictions = null;
        cachedDirty = false;
        return model;
    }

    private boolean applyLabel(LabelEvent l, int index) {
        boolean maybeKnown = mightBeKnown(index, l.model(), l.id());
        PendingPrediction p = maybeKnown ? findPrediction(l.model(), l.id()) : null;
        Generation active = state.active;
        if (p != null) {
            if (p.labeled()) {
                return false;
            }
            ModelState model = state.models.get(l.model());
            ModelSpec spec = model != null ? model.spec
                    : ModelSpec.infer(l.model(), p.scores() != null, p.score() != null, p.predictedClass());
            addOutcome(p, l.label(), spec);
            active.buffered.rowAdded(active.predictions.computeIfAbsent(l.model(), PendingRows::new).put(p.asLabeled()));
            return true;
        }
        if (maybeKnown && findEarlyLabel(l.model(), l.id()) != null) {
            return false;
        }
        active.earlyLabels.computeIfAbsent(l.model(), k -> new HashMap<>())
                .put(l.id(), new EarlyLabel(l.model(), l.id(), l.label(), l.timestampMs()));
        active.buffered.rowAdded(BufferedBytes.rowBytes(l.id()));
        knownIds.add(l.model(), l.id());
        return true;
    }

    private void addOutcome(PendingPrediction p, Object label, ModelSpec spec) {
        if (pendingOnly) {
            return; // the store holds this outcome already
        }
        Generation active = state.active;
        if (spec.task().isClassification()) {
            label = folding.foldLabel(p.model(), label, active);
        }
        for (ProfileKey key : keys(p.model(), p.version(), p.segments(), p.windowMs(), p.windowStartMs())) {
            WindowProfile profile = active.deltas.computeIfAbsent(key, this::newProfile);
            updates.addOutcome(key, profile, p, label, spec.positiveClass(), spec.task().isClassification());
        }
    }

    /** The active generation's profiles of the event's window, for all traffic and each of its segments. */
    private ProfileSlot profiles(PredictionEvent e, Map<String, String> segments, long windowMs, long windowStart,
                                 Generation active) {
        ProfileSlot[] kept = slots.get(segments);
        if (kept != null) {
            for (ProfileSlot s : kept) {
                if (s != null && s.holds(e.model(), e.version(), windowMs, windowStart, active)) {
                    return s;
                }
            }
        }
        List<ProfileKey> keys = keys(e.model(), e.version(), e.segments(), windowMs, windowStart);
        WindowProfile[] profiles = new WindowProfile[keys.size()];
        for (int i = 0; i < profiles.length; i++) {
            profiles[i] = active.deltas.computeIfAbsent(keys.get(i), this::newProfile);
        }
        ProfileSlot slot = new ProfileSlot(e.model(), e.version(), windowMs, windowStart, active, active.deltasReplaced,
                keys.toArray(ProfileKey[]::new), profiles);
        if (kept == null) {
            if (slots.size() >= MAX_SLOTS) {
                slots.clear();
            }
            kept = new ProfileSlot[SLOTS_PER_SEGMENTS];
            slots.put(segments, kept);
        }
        // the newest first, the oldest dropped
        System.arraycopy(kept, 0, kept, 1, kept.length - 1);
        kept[0] = slot;
        return slot;
    }

    /** A new profile for a key: a segment's keeps smaller sketches (see {@link SketchSettings#forSegments()}). */
    WindowProfile newProfile(ProfileKey key) {
        return new WindowProfile(key.segment().equals(ProfileKey.ALL) ? sketches : segmentSketches);
    }

    private static List<ProfileKey> keys(String model, String version, Map<String, String> segments, long windowMs,
                                         long windowStart) {
        List<ProfileKey> keys = new ArrayList<>(1 + segments.size());
        keys.add(new ProfileKey(model, version, ProfileKey.ALL, windowMs, windowStart));
        for (Map.Entry<String, String> s : segments.entrySet()) {
            keys.add(new ProfileKey(model, version, ProfileKey.segment(s.getKey(), s.getValue()), windowMs, windowStart));
        }
        return keys;
    }
}
