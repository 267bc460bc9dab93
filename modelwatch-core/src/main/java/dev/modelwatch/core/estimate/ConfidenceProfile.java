package dev.modelwatch.core.estimate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The mergeable per-window statistics of a classifier's scores from which
 * {@link PerformanceEstimator} estimates its performance before labels arrive: merging the profiles
 * of two sets of events gives exactly the profile of their union.
 *
 * <p>Usage:
 * <pre>{@code
 * ConfidenceProfile p = ConfidenceProfile.binary("1");
 * p.add(0.83, true);                              // positive-class score, predicted positive
 * ConfidenceProfile m = ConfidenceProfile.multiclass(List.of("cat", "dog", "fox"));
 * m.add(Map.of("cat", 0.7, "dog", 0.2, "fox", 0.1), "cat");
 * ConfidenceProfile day = p.copy();
 * day.merge(otherHour);
 * ConfidenceProfile back = ConfidenceProfile.fromBytes(day.toBytes());
 * }</pre>
 *
 * <h2>What is kept</h2>
 * <ul>
 * <li>Binary: the positive-class score of every event in {@link ScoreBins}, split by whether the
 * model predicted positive: their sum is the window's score histogram, and the split lets the
 * estimate use the predictions the model actually made, whatever its decision rule.</li>
 * <li>Multiclass, per class {@code c}: (a) the score {@code p(c)} of every event, and (b) the score
 * of the predicted class over the events predicted {@code c} (the top score when the model predicts
 * its argmax). (b) gives the expected true positives of {@code c}, (a) its expected actual count.</li>
 * </ul>
 * An event whose score is NaN or outside {@code [0, 1]} is counted in {@link #invalidEvents()} and
 * nothing else; for a multiclass model so is an event without scores, one missing the score of a
 * listed class, and one whose predicted class is not listed. Scores of classes that are not listed
 * are ignored. All bins of a profile share one spacing and bin count; merging checks kind, class
 * list (same classes in the same order) and bins. Memory: {@code 2} (binary) or {@code 2K}
 * (multiclass, {@code K} classes) {@link ScoreBins}. Not thread-safe.
 */
public final class ConfidenceProfile {
    private static final byte FORMAT_VERSION = 1;
    private static final int KIND_BINARY = 0;
    private static final int KIND_MULTICLASS = 1;
    /** Most classes a multiclass profile may list. */
    public static final int MAX_CLASSES = 512;

    private final boolean binary;
    private final List<String> classes;
    private final Map<String, Integer> classIndex;
    // binary: [0] predicted negative, [1] predicted positive
    private final ScoreBins[] binaryBins;
    // multiclass: per class
    private final ScoreBins[] classScores;
    private final ScoreBins[] predictedScores;
    private long multiclassInvalid;

    private ConfidenceProfile(boolean binary, List<String> classes, ScoreBins.Spacing spacing, int binCount) {
        this.binary = binary;
        this.classes = classes;
        this.classIndex = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            classIndex.put(classes.get(i), i);
        }
        if (binary) {
            binaryBins = new ScoreBins[] {new ScoreBins(spacing, binCount), new ScoreBins(spacing, binCount)};
            classScores = null;
            predictedScores = null;
        } else {
            binaryBins = null;
            classScores = new ScoreBins[classes.size()];
            predictedScores = new ScoreBins[classes.size()];
            for (int i = 0; i < classes.size(); i++) {
                classScores[i] = new ScoreBins(spacing, binCount);
                predictedScores[i] = new ScoreBins(spacing, binCount);
            }
        }
    }

    /** An empty binary profile with the default bins. */
    public static ConfidenceProfile binary(String positiveClass) {
        return binary(positiveClass, ScoreBins.DEFAULT_SPACING, ScoreBins.DEFAULT_BIN_COUNT);
    }

    /**
     * An empty binary profile.
     *
     * @param positiveClass the name of the class whose score is recorded
     */
    public static ConfidenceProfile binary(String positiveClass, ScoreBins.Spacing spacing, int binCount) {
        if (positiveClass == null || positiveClass.isEmpty()) {
            throw new IllegalArgumentException("positiveClass must be a non-empty class name");
        }
        return new ConfidenceProfile(true, List.of(positiveClass), spacing, binCount);
    }

    /** An empty multiclass profile with the default bins. */
    public static ConfidenceProfile multiclass(List<String> classes) {
        return multiclass(classes, ScoreBins.DEFAULT_SPACING, ScoreBins.DEFAULT_BIN_COUNT);
    }

    /**
     * An empty multiclass profile.
     *
     * @param classes the model's classes, at least 2, distinct, non-empty names
     */
    public static ConfidenceProfile multiclass(List<String> classes, ScoreBins.Spacing spacing, int binCount) {
        if (classes == null || classes.size() < 2 || classes.size() > MAX_CLASSES) {
            throw new IllegalArgumentException("classes must list 2 to " + MAX_CLASSES + " classes, was "
                    + (classes == null ? "null" : classes.size()));
        }
        if (new HashSet<>(classes).size() != classes.size()) {
            throw new IllegalArgumentException("classes must be distinct: " + classes);
        }
        for (String c : classes) {
            if (c == null || c.isEmpty()) {
                throw new IllegalArgumentException("classes must be non-empty names: " + classes);
            }
        }
        return new ConfidenceProfile(false, Collections.unmodifiableList(new ArrayList<>(classes)), spacing, binCount);
    }

    /**
     * Counts one event of a binary model. Never allocates.
     *
     * @param positiveScore     the model's score of the positive class
     * @param predictedPositive whether the model predicted the positive class
     */
    public void add(double positiveScore, boolean predictedPositive) {
        requireKind(true);
        binaryBins[predictedPositive ? 1 : 0].add(positiveScore);
    }

    /**
     * Counts one event of a multiclass model. Does not allocate.
     *
     * @param scores         the model's score of every listed class
     * @param predictedClass the class it predicted
     */
    public void add(Map<String, Double> scores, String predictedClass) {
        requireKind(false);
        Integer predicted = predictedClass == null ? null : classIndex.get(predictedClass);
        if (scores == null || predicted == null) {
            multiclassInvalid++;
            return;
        }
        for (int i = 0; i < classScores.length; i++) {
            Double s = scores.get(classes.get(i));
            if (s == null || !(s >= 0.0 && s <= 1.0)) {
                multiclassInvalid++;
                return;
            }
        }
        for (int i = 0; i < classScores.length; i++) {
            classScores[i].add(scores.get(classes.get(i)));
        }
        predictedScores[predicted].add(scores.get(predictedClass));
    }

    /** Adds another profile of the same kind, classes and bins. */
    public void merge(ConfidenceProfile other) {
        requireCompatible(other);
        if (binary) {
            binaryBins[0].merge(other.binaryBins[0]);
            binaryBins[1].merge(other.binaryBins[1]);
        } else {
            for (int i = 0; i < classScores.length; i++) {
                classScores[i].merge(other.classScores[i]);
                predictedScores[i].merge(other.predictedScores[i]);
            }
            multiclassInvalid = Math.addExact(multiclassInvalid, other.multiclassInvalid);
        }
    }

    private void requireCompatible(ConfidenceProfile other) {
        if (other == null) {
            throw new IllegalArgumentException("other profile must not be null");
        }
        if (other.binary != binary) {
            throw new IllegalArgumentException("cannot merge a " + kindName(other.binary) + " profile into a "
                    + kindName(binary) + " one");
        }
        if (!other.classes.equals(classes)) {
            throw new IllegalArgumentException("cannot merge a profile of classes " + other.classes + " into one of "
                    + classes);
        }
        referenceBins().requireSameLayout(other.referenceBins());
    }

    private static String kindName(boolean binary) {
        return binary ? "binary" : "multiclass";
    }

    private void requireKind(boolean wantBinary) {
        if (binary != wantBinary) {
            throw new IllegalStateException("this is a " + kindName(binary) + " profile; use add("
                    + (binary ? "double, boolean" : "Map, String") + ")");
        }
    }

    private ScoreBins referenceBins() {
        return binary ? binaryBins[0] : classScores[0];
    }

    public ConfidenceProfile copy() {
        ConfidenceProfile c = new ConfidenceProfile(binary, classes, spacing(), binCount());
        c.merge(this);
        return c;
    }

    public boolean isBinary() {
        return binary;
    }

    /** The classes: for a binary profile only the positive class. */
    public List<String> classes() {
        return classes;
    }

    /** The positive class of a binary profile. */
    public String positiveClass() {
        requireKind(true);
        return classes.get(0);
    }

    public ScoreBins.Spacing spacing() {
        return referenceBins().spacing();
    }

    public int binCount() {
        return referenceBins().binCount();
    }

    /** Events counted with valid scores. */
    public long scoredEvents() {
        return binary ? binaryBins[0].total() + binaryBins[1].total() : classScores[0].total();
    }

    /** Events not counted (see the class comment). */
    public long invalidEvents() {
        return binary ? binaryBins[0].invalidCount() + binaryBins[1].invalidCount() : multiclassInvalid;
    }

    /** A copy of the positive-class scores of the events predicted positive (binary). */
    public ScoreBins predictedPositiveScores() {
        requireKind(true);
        return binaryBins[1].copy();
    }

    /** A copy of the positive-class scores of the events predicted negative (binary). */
    public ScoreBins predictedNegativeScores() {
        requireKind(true);
        return binaryBins[0].copy();
    }

    /** A copy of the scores {@code p(c)} of all events (multiclass). */
    public ScoreBins classScores(String c) {
        requireKind(false);
        return classScores[index(c)].copy();
    }

    /** A copy of the predicted class's scores of the events predicted {@code c} (multiclass). */
    public ScoreBins predictedScores(String c) {
        requireKind(false);
        return predictedScores[index(c)].copy();
    }

    private int index(String c) {
        Integer i = classIndex.get(c);
        if (i == null) {
            throw new IllegalArgumentException("class '" + c + "' is not one of " + classes);
        }
        return i;
    }

    /**
     * How many recorded predictions of a binary model disagree with "positive iff score >=
     * threshold" (the threshold must be a bin edge): 0 when the model decides by that threshold.
     */
    public long predictionsDisagreeingWith(double threshold) {
        requireKind(true);
        int k = binaryBins[0].edgeIndex(threshold);
        long n = 0;
        long[] negative = binaryBins[0].counts();
        long[] positive = binaryBins[1].counts();
        for (int b = 0; b < binCount(); b++) {
            n += b >= k ? negative[b] : positive[b];
        }
        return n;
    }

    /** An upper estimate of the heap this profile takes, in bytes. */
    public long estimatedBytes() {
        long bytes = 160 + classes.size() * 64L;
        for (ScoreBins[] group : new ScoreBins[][] {binaryBins, classScores, predictedScores}) {
            if (group != null) {
                for (ScoreBins b : group) {
                    bytes += b.estimatedBytes();
                }
            }
        }
        return bytes;
    }

    ScoreBins[] binaryBins() {
        return binaryBins;
    }

    ScoreBins[] classScoreBins() {
        return classScores;
    }

    ScoreBins[] predictedScoreBins() {
        return predictedScores;
    }

    /**
     * Format version byte, kind byte (0 binary, 1 multiclass), the class names, for multiclass the
     * invalid-event count, then every {@link ScoreBins#toBytes()} (binary: predicted negative,
     * predicted positive; multiclass: per class its scores, then per class its predicted scores).
     */
    public byte[] toBytes() {
        CompactBytes.Writer w = new CompactBytes.Writer().writeByte(FORMAT_VERSION)
                .writeByte(binary ? KIND_BINARY : KIND_MULTICLASS)
                .writeVarLong(classes.size());
        for (String c : classes) {
            w.writeString(c);
        }
        if (binary) {
            w.writeBytes(binaryBins[0].toBytes()).writeBytes(binaryBins[1].toBytes());
        } else {
            w.writeVarLong(multiclassInvalid);
            for (ScoreBins b : classScores) {
                w.writeBytes(b.toBytes());
            }
            for (ScoreBins b : predictedScores) {
                w.writeBytes(b.toBytes());
            }
        }
        return w.toByteArray();
    }

    /**
     * Reads {@link #toBytes()}.
     *
     * @throws IllegalArgumentException on an unknown version or kind, bad class names, bins of
     *                                  different layouts or inconsistent counts, truncated or trailing bytes
     */
    public static ConfidenceProfile fromBytes(byte[] bytes) {
        CompactBytes.Reader r = new CompactBytes.Reader(bytes, "ConfidenceProfile");
        int version = r.readByte("version");
        if (version != FORMAT_VERSION) {
            throw r.fail("unknown format version " + version);
        }
        int kind = r.readByte("kind");
        if (kind != KIND_BINARY && kind != KIND_MULTICLASS) {
            throw r.fail("unknown kind " + kind);
        }
        boolean binary = kind == KIND_BINARY;
        int n = binary ? r.readVarInt("class count", 1, 1) : r.readVarInt("class count", 2, MAX_CLASSES);
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            classes.add(r.readString("class name"));
        }
        try {
            if (binary) {
                ScoreBins negative = ScoreBins.fromBytes(r.readBytes("predicted negative bins"));
                ScoreBins positive = ScoreBins.fromBytes(r.readBytes("predicted positive bins"));
                ConfidenceProfile p = binary(classes.get(0), negative.spacing(), negative.binCount());
                p.binaryBins[0].merge(negative);
                p.binaryBins[1].merge(positive);
                r.expectEnd();
                return p;
            }
            long invalid = r.readVarLong("invalid events", 0, Long.MAX_VALUE);
            ScoreBins[] all = new ScoreBins[2 * n];
            for (int i = 0; i < all.length; i++) {
                all[i] = ScoreBins.fromBytes(r.readBytes(i < n ? "class bins" : "predicted bins"));
            }
            r.expectEnd();
            ConfidenceProfile p = multiclass(classes, all[0].spacing(), all[0].binCount());
            p.multiclassInvalid = invalid;
            long events = all[0].total();
            long predicted = 0;
            for (int i = 0; i < n; i++) {
                p.classScores[i].merge(all[i]);
                p.predictedScores[i].merge(all[n + i]);
                predicted += all[n + i].total();
                if (all[i].total() != events || all[i].invalidCount() != 0 || all[n + i].invalidCount() != 0) {
                    throw r.fail("class bins disagree on the event count");
                }
                long[] scores = all[i].counts();
                long[] pred = all[n + i].counts();
                for (int b = 0; b < scores.length; b++) {
                    if (pred[b] > scores[b]) {
                        throw r.fail("more events predicted '" + classes.get(i) + "' than scored in bin " + b);
                    }
                }
            }
            if (predicted != events) {
                throw r.fail(predicted + " predicted events for " + events + " scored events");
            }
            return p;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("invalid ConfidenceProfile")) {
                throw e;
            }
            throw r.fail(e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConfidenceProfile)) {
            return false;
        }
        ConfidenceProfile p = (ConfidenceProfile) o;
        return binary == p.binary && classes.equals(p.classes) && multiclassInvalid == p.multiclassInvalid
                && java.util.Arrays.equals(binaryBins, p.binaryBins) && java.util.Arrays.equals(classScores, p.classScores)
                && java.util.Arrays.equals(predictedScores, p.predictedScores);
    }

    @Override
    public int hashCode() {
        return classes.hashCode() * 31 + Long.hashCode(scoredEvents());
    }

    @Override
    public String toString() {
        return "ConfidenceProfile[" + kindName(binary) + " " + classes + ", scored=" + scoredEvents() + ", invalid="
                + invalidEvents() + "]";
    }
}
