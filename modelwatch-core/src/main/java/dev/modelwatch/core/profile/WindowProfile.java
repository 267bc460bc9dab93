package dev.modelwatch.core.profile;

import dev.modelwatch.core.drift.multivariate.CoMoments;
import dev.modelwatch.core.estimate.ConfidenceProfile;
import dev.modelwatch.core.event.ClassNames;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.core.event.PredictionEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * Everything known about one model, version and segment in one time window, as a mergeable value:
 * merging the profiles of two sets of events gives the profile of their union. Counts and sums are
 * exact; quantiles, frequent values and distinct counts come from DataSketches.
 *
 * <p>Usage:
 * <pre>{@code
 * WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
 * p.addPrediction(event);
 * p.addOutcome(pendingPrediction, 1.0, "1", true);   // a label joined later
 * WindowProfile day = new WindowProfile(SketchSettings.DEFAULT);
 * day.merge(p);
 * byte[] stored = day.toBytes();
 * }</pre>
 * Not thread-safe: one writer (the aggregation shard) owns a live profile.
 */
public final class WindowProfile {
    private static final byte FORMAT_VERSION = 2;
    /** Format 1 had no label profile; it is still read. */
    private static final byte FORMAT_VERSION_1 = 1;
    /** Probabilities are clipped to [EPS, 1 - EPS] before taking logs, as scikit-learn's log_loss does. */
    static final double LOG_LOSS_EPS = 1e-15;
    /** Distinct features kept per profile; more are counted in {@link #droppedFeatureValues()}. */
    public static final int MAX_FEATURES = 2048;
    /** Distinct classes kept in the confusion matrix; more are counted in {@link #droppedOutcomes()}. */
    public static final int MAX_CLASSES = 512;

    private final SketchSettings settings;
    private final SketchSettings featureSettings;
    long count;
    long errors;
    long minTimestampMs = Long.MAX_VALUE;
    long maxTimestampMs = Long.MIN_VALUE;
    QuantileValues latency;
    final Map<String, FeatureProfile> features = new LinkedHashMap<>();
    long droppedFeatureValues;
    FeatureProfile output;
    FeatureProfile score;
    // joined labels
    long labeled;
    long droppedOutcomes;
    /** the joined labels' distribution: class names (classifiers) or target values (regression). */
    FeatureProfile label;
    /**
     * Co-moments of the numerical features (the first {@link CoMoments#MAX_FEATURES} seen), for
     * multivariate drift; null until a prediction has a numerical feature.
     */
    CoMoments numeric;
    /**
     * Score distributions for performance estimation without labels; null until a scored prediction.
     * {@code confidenceMixed} marks a profile that merged windows whose class lists differ, where no
     * estimate can be made.
     */
    ConfidenceProfile confidence;
    boolean confidenceMixed;
    // scratch of addPrediction: the row of numerical values in the co-moments' order
    private double[] numericRow;
    private final Map<String, Integer> numericSlot = new HashMap<>();
    private String[] lastNames;
    private int[] lastSlots;
    final TreeMap<String, TreeMap<String, long[]>> confusion = new TreeMap<>();
    final TreeMap<String, ScoreHistogram> binaryScoresByActual = new TreeMap<>();
    /** per actual class: [sum of -log(score), sum of -log(1 - score)]. */
    final TreeMap<String, double[]> binaryLogLossByActual = new TreeMap<>();
    /** per class c: [scores of c where actual == c, scores of c where actual != c]. */
    final TreeMap<String, ScoreHistogram[]> oneVsRest = new TreeMap<>();
    double multiLogLossSum;
    long multiLogLossCount;
    // regression
    long regN;
    double absErrSum;
    double sqErrSum;
    double absPctErrSum;
    double yMean;
    double yM2;

    public WindowProfile(SketchSettings settings) {
        this.settings = settings;
        this.featureSettings = settings.forFeatures();
    }

    public SketchSettings settings() {
        return settings;
    }

    /** Adds one prediction's inputs, output, latency and error; a binary prediction is positive when its score is >= 0.5. */
    public void addPrediction(PredictionEvent e) {
        addPrediction(e, null);
    }

    /**
     * Adds one prediction's inputs, output, latency and error.
     *
     * @param positiveClass the positive class of a binary model: a prediction naming it is a positive
     *                      one (for performance estimation); null to decide by score >= 0.5
     */
    public void addPrediction(PredictionEvent e, String positiveClass) {
        addConfidence(e, positiveClass);
        count++;
        minTimestampMs = Math.min(minTimestampMs, e.timestampMs());
        maxTimestampMs = Math.max(maxTimestampMs, e.timestampMs());
        if (e.error() != null) {
            errors++;
        }
        if (!Double.isNaN(e.latencyMs())) {
            if (latency == null) {
                latency = new QuantileValues(settings.kllK());
            }
            latency.update(e.latencyMs());
        }
        if (e.features() instanceof FeatureVector v) {
            if (settings.multivariateFeatures() > 0) {
                addNumericRow(v);
            }
            // the ingest path: no boxing, no map entries
            for (int i = 0; i < v.size(); i++) {
                FeatureProfile fp = featureProfile(v.name(i));
                if (fp == null) {
                    continue;
                }
                switch (v.kind(i)) {
                    case FeatureVector.NUMBER -> fp.add(v.number(i));
                    case FeatureVector.STRING -> fp.add(v.string(i));
                    default -> fp.addNull();
                }
            }
        } else {
            if (!e.features().isEmpty() && settings.multivariateFeatures() > 0) {
                FeatureVector.Builder b = FeatureVector.builder(e.features().size());
                for (Map.Entry<String, Object> f : e.features().entrySet()) {
                    if (f.getValue() instanceof Double d) {
                        b.number(f.getKey(), d);
                    } else {
                        b.missing(f.getKey());
                    }
                }
                addNumericRow(b.build());
            }
            for (Map.Entry<String, Object> f : e.features().entrySet()) {
                FeatureProfile fp = featureProfile(f.getKey());
                if (fp != null) {
                    addValue(fp, f.getValue());
                }
            }
        }
        if (e.prediction() != null) {
            if (output == null) {
                output = new FeatureProfile(settings);
            }
            addValue(output, e.prediction());
        }
        if (e.score() != null) {
            if (score == null) {
                score = new FeatureProfile(settings);
            }
            score.add(e.score());
        }
    }

    /**
     * Adds the event's numerical values to the co-moments; a numerical feature not seen before in this
     * window joins them (its earlier rows count as missing), up to {@link CoMoments#MAX_FEATURES}.
     */
    private void addNumericRow(FeatureVector v) {
        int n = v.size();
        int[] slots = slotsOf(v);
        if (numeric == null) {
            return;
        }
        double[] row = numericRow;
        java.util.Arrays.fill(row, Double.NaN);
        for (int i = 0; i < n; i++) {
            int slot = slots[i];
            if (slot >= 0 && v.kind(i) == FeatureVector.NUMBER) {
                row[slot] = v.number(i);
            }
        }
        numeric.add(row);
    }

    /**
     * Each feature's slot in the co-moments (-1 for none). Consecutive events nearly always name the
     * same features in the same order, with the same (canonical) strings from the JSON parser: then
     * the last answer is reused after an identity check of the names.
     */
    private int[] slotsOf(FeatureVector v) {
        int n = v.size();
        String[] last = lastNames;
        boolean same = last != null && last.length == n;
        for (int i = 0; same && i < n; i++) {
            same = last[i] == v.name(i);
        }
        boolean grown = false;
        for (int i = 0; i < n; i++) {
            if (v.kind(i) == FeatureVector.NUMBER && (same ? lastSlots[i] < 0 : !numericSlot.containsKey(v.name(i)))
                    && numericSlot.size() < settings.multivariateFeatures() && !numericSlot.containsKey(v.name(i))) {
                growNumeric(v.name(i));
                grown = true;
            }
        }
        if (same && !grown) {
            return lastSlots;
        }
        String[] names = new String[n];
        int[] slots = new int[n];
        for (int i = 0; i < n; i++) {
            names[i] = v.name(i);
            Integer slot = numericSlot.get(names[i]);
            slots[i] = slot == null ? -1 : slot;
        }
        lastNames = names;
        lastSlots = slots;
        return slots;
    }

    private void growNumeric(String name) {
        if (numeric == null || numeric.count() == 0) {
            // no rows yet (the window's first event): a fresh accumulator keeps the fast dense mode,
            // which a union (pairwise by nature) would give up for the whole window
            List<String> names = new java.util.ArrayList<>(numeric == null ? List.of() : numeric.featureNames());
            names.add(name);
            numeric = new CoMoments(names);
        } else {
            numeric = CoMoments.union(numeric, new CoMoments(List.of(name)));
        }
        indexNumeric();
    }

    private void indexNumeric() {
        numericSlot.clear();
        List<String> names = numeric.featureNames();
        for (int i = 0; i < names.size(); i++) {
            numericSlot.put(names.get(i), i);
        }
        numericRow = new double[names.size()];
        lastNames = null;
    }

    private void addConfidence(PredictionEvent e, String positiveClass) {
        if (e.score() != null) {
            if (confidence == null) {
                confidence = ConfidenceProfile.binary(positiveClass == null ? "positive" : positiveClass);
            } else if (!confidence.isBinary()) {
                confidenceMixed = true;
                return;
            }
            double s = e.score();
            boolean positive = positiveClass == null || e.prediction() == null ? s >= 0.5
                    : positiveClass.equals(e.prediction() instanceof Double d ? ClassNames.of(d) : e.prediction());
            confidence.add(s, positive);
        } else if (e.scores() != null && !e.scores().isEmpty()) {
            Map<String, Double> scores = e.scores();
            if (confidence == null) {
                if (scores.size() > ConfidenceProfile.MAX_CLASSES) {
                    return;
                }
                confidence = ConfidenceProfile.multiclass(new java.util.ArrayList<>(new java.util.TreeSet<>(scores.keySet())));
            } else if (confidence.isBinary()) {
                confidenceMixed = true;
                return;
            }
            double sum = 0;
            String argmax = null;
            double best = Double.NEGATIVE_INFINITY;
            for (Map.Entry<String, Double> x : scores.entrySet()) {
                double v = x.getValue();
                sum += v;
                if (v > best) {
                    best = v;
                    argmax = x.getKey();
                }
            }
            if (sum > 0 && Double.isFinite(sum) && Math.abs(sum - 1) > 1e-6) {
                Map<String, Double> normalized = new HashMap<>();
                for (Map.Entry<String, Double> x : scores.entrySet()) {
                    normalized.put(x.getKey(), x.getValue() / sum);
                }
                scores = normalized;
            }
            String predicted = e.prediction() == null ? argmax
                    : e.prediction() instanceof Double d ? ClassNames.of(d) : (String) e.prediction();
            confidence.add(scores, predicted);
        }
    }

    /**
     * Score distributions for estimating performance without labels; null when no prediction had a
     * score, or when this profile merged windows with different class lists (see {@link #confidenceMixed()}).
     */
    public ConfidenceProfile confidence() {
        return confidenceMixed ? null : confidence;
    }

    /** Whether windows with different class lists (or binary and multiclass scores) were merged here. */
    public boolean confidenceMixed() {
        return confidenceMixed;
    }

    /** Co-moments of the numerical features, for multivariate drift; null when there were none. */
    public CoMoments numericCoMoments() {
        return numeric;
    }

    /** The profile of a feature, created on first sight; null (and counted) past {@link #MAX_FEATURES}. */
    private FeatureProfile featureProfile(String name) {
        FeatureProfile fp = features.get(name);
        if (fp == null) {
            if (features.size() >= MAX_FEATURES) {
                droppedFeatureValues++;
                return null;
            }
            fp = new FeatureProfile(featureSettings);
            features.put(name, fp);
        }
        return fp;
    }

    private static void addValue(FeatureProfile fp, Object v) {
        if (v == null) {
            fp.addNull();
        } else if (v instanceof Double d) {
            fp.add(d.doubleValue());
        } else {
            fp.add((String) v);
        }
    }

    /**
     * Adds the outcome of a prediction whose label arrived.
     *
     * @param label          the label: a Double or a String
     * @param positiveClass  the positive class of a binary classifier (used to derive a predicted
     *                       class from a score when the prediction sent none)
     * @param classification whether the model is a classifier (regression keeps no confusion matrix)
     */
    public void addOutcome(PendingPrediction p, Object label, String positiveClass, boolean classification) {
        labeled++;
        if (this.label == null) {
            this.label = new FeatureProfile(settings);
        }
        if (classification) {
            this.label.add(label instanceof Double d ? ClassNames.of(d) : (String) label);
        } else {
            addValue(this.label, label);
        }
        if (label instanceof Double y && !Double.isNaN(p.predictedValue()) && !classification) {
            double err = y - p.predictedValue();
            regN++;
            absErrSum += Math.abs(err);
            sqErrSum += err * err;
            // as scikit-learn's mean_absolute_percentage_error: |e| / max(|y|, machine epsilon)
            absPctErrSum += Math.abs(err) / Math.max(Math.abs(y), Math.ulp(1.0));
            double delta = y - yMean;
            yMean += delta / regN;
            yM2 += delta * (y - yMean);
        }
        if (!classification) {
            return;
        }
        String actual = label instanceof Double d ? ClassNames.of(d) : (String) label;
        String predicted = p.predictedClass();
        if (p.score() != null && !Double.isNaN(p.score())) {
            double s = p.score();
            if (predicted == null) {
                predicted = s >= 0.5 ? positiveClass : negativeClassOf(positiveClass);
            }
            binaryScoresByActual.computeIfAbsent(actual, a -> new ScoreHistogram()).add(s);
            double c = clip(s);
            double[] ll = binaryLogLossByActual.computeIfAbsent(actual, a -> new double[2]);
            ll[0] += -Math.log(c);
            ll[1] += -Math.log(1 - c);
        }
        if (p.scores() != null && !p.scores().isEmpty()) {
            double sum = 0;
            String argmax = null;
            double best = Double.NEGATIVE_INFINITY;
            for (Map.Entry<String, Double> s : p.scores().entrySet()) {
                double v = s.getValue();
                if (Double.isFinite(v)) {
                    sum += v;
                    if (v > best) {
                        best = v;
                        argmax = s.getKey();
                    }
                }
            }
            if (predicted == null) {
                predicted = argmax;
            }
            if (sum > 0) {
                for (Map.Entry<String, Double> s : p.scores().entrySet()) {
                    if (!Double.isFinite(s.getValue())) {
                        continue;
                    }
                    double prob = s.getValue() / sum;
                    ScoreHistogram[] h = oneVsRest.computeIfAbsent(s.getKey(),
                            k -> new ScoreHistogram[] {new ScoreHistogram(), new ScoreHistogram()});
                    h[s.getKey().equals(actual) ? 0 : 1].add(prob);
                }
                Double pTrue = p.scores().get(actual);
                double prob = pTrue == null || !Double.isFinite(pTrue) ? 0 : pTrue / sum;
                multiLogLossSum += -Math.log(clip(prob));
                multiLogLossCount++;
            }
        }
        if (predicted != null) {
            TreeMap<String, long[]> row = confusion.get(actual);
            if (row == null) {
                if (confusion.size() >= MAX_CLASSES) {
                    droppedOutcomes++;
                    return;
                }
                row = new TreeMap<>();
                confusion.put(actual, row);
            }
            row.computeIfAbsent(predicted, k -> new long[1])[0]++;
        }
    }

    /** The class a binary model predicts when its score is below 0.5 and it sent no class. */
    public static String negativeClassOf(String positiveClass) {
        return switch (positiveClass) {
            case "1" -> "0";
            case "true" -> "false";
            case "yes" -> "no";
            default -> "not " + positiveClass;
        };
    }

    private static double clip(double p) {
        return Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p));
    }

    /** Merges {@code o} into this profile; afterwards this profile describes the union of both. */
    public void merge(WindowProfile o) {
        count += o.count;
        errors += o.errors;
        minTimestampMs = Math.min(minTimestampMs, o.minTimestampMs);
        maxTimestampMs = Math.max(maxTimestampMs, o.maxTimestampMs);
        if (o.latency != null && !o.latency.isEmpty()) {
            if (latency == null) {
                latency = new QuantileValues(Math.max(settings.kllK(), o.latency.k()));
            }
            latency.merge(o.latency);
        }
        for (Map.Entry<String, FeatureProfile> f : o.features.entrySet()) {
            FeatureProfile mine = features.get(f.getKey());
            if (mine == null) {
                if (features.size() >= MAX_FEATURES) {
                    droppedFeatureValues += f.getValue().present() + f.getValue().nulls();
                    continue;
                }
                mine = new FeatureProfile(featureSettings);
                features.put(f.getKey(), mine);
            }
            mine.merge(f.getValue());
        }
        droppedFeatureValues += o.droppedFeatureValues;
        if (o.output != null) {
            if (output == null) {
                output = new FeatureProfile(settings);
            }
            output.merge(o.output);
        }
        if (o.score != null) {
            if (score == null) {
                score = new FeatureProfile(settings);
            }
            score.merge(o.score);
        }
        labeled += o.labeled;
        droppedOutcomes += o.droppedOutcomes;
        if (o.label != null) {
            if (label == null) {
                label = new FeatureProfile(settings);
            }
            label.merge(o.label);
        }
        confidenceMixed |= o.confidenceMixed;
        if (o.confidence != null) {
            if (confidence == null) {
                confidence = o.confidence.copy();
            } else {
                try {
                    confidence.merge(o.confidence);
                } catch (IllegalArgumentException e) {
                    confidenceMixed = true;
                }
            }
        }
        if (o.numeric != null) {
            if (numeric == null) {
                numeric = o.numeric.copy();
            } else if (numeric.featureNames().equals(o.numeric.featureNames())) {
                numeric.merge(o.numeric);
            } else {
                numeric = CoMoments.union(numeric, o.numeric);
            }
            indexNumeric();
        }
        for (Map.Entry<String, TreeMap<String, long[]>> row : o.confusion.entrySet()) {
            TreeMap<String, long[]> mine = confusion.get(row.getKey());
            if (mine == null) {
                if (confusion.size() >= MAX_CLASSES) {
                    for (long[] c : row.getValue().values()) {
                        droppedOutcomes += c[0];
                    }
                    continue;
                }
                mine = new TreeMap<>();
                confusion.put(row.getKey(), mine);
            }
            for (Map.Entry<String, long[]> cell : row.getValue().entrySet()) {
                mine.computeIfAbsent(cell.getKey(), k -> new long[1])[0] += cell.getValue()[0];
            }
        }
        for (Map.Entry<String, ScoreHistogram> h : o.binaryScoresByActual.entrySet()) {
            binaryScoresByActual.computeIfAbsent(h.getKey(), k -> new ScoreHistogram()).merge(h.getValue());
        }
        for (Map.Entry<String, double[]> l : o.binaryLogLossByActual.entrySet()) {
            double[] mine = binaryLogLossByActual.computeIfAbsent(l.getKey(), k -> new double[2]);
            mine[0] += l.getValue()[0];
            mine[1] += l.getValue()[1];
        }
        for (Map.Entry<String, ScoreHistogram[]> h : o.oneVsRest.entrySet()) {
            ScoreHistogram[] mine = oneVsRest.computeIfAbsent(h.getKey(),
                    k -> new ScoreHistogram[] {new ScoreHistogram(), new ScoreHistogram()});
            mine[0].merge(h.getValue()[0]);
            mine[1].merge(h.getValue()[1]);
        }
        multiLogLossSum += o.multiLogLossSum;
        multiLogLossCount += o.multiLogLossCount;
        if (o.regN > 0) {
            long n = regN + o.regN;
            if (regN == 0) {
                // as in FeatureProfile.merge: take the other side's moments as they are
                yMean = o.yMean;
                yM2 = o.yM2;
            } else {
                double delta = o.yMean - yMean;
                yM2 = yM2 + o.yM2 + delta * delta * ((double) regN * o.regN / n);
                yMean = yMean + delta * o.regN / n;
            }
            regN = n;
            absErrSum += o.absErrSum;
            sqErrSum += o.sqErrSum;
            absPctErrSum += o.absPctErrSum;
        }
    }

    /**
     * An upper estimate of the heap this profile takes, in bytes: what its sketches, maps and
     * histograms hold now (feature names are counted at two bytes a character, though events of a
     * model usually share them). Linear in the features and classes it holds.
     */
    public long estimatedBytes() {
        long bytes = 480;
        for (Map.Entry<String, FeatureProfile> f : features.entrySet()) {
            bytes += 64 + 48 + 2L * f.getKey().length() + f.getValue().estimatedBytes();
        }
        bytes += 8L * 16 * numericSlot.size();
        if (lastNames != null) {
            bytes += 32 + 12L * lastNames.length;
        }
        if (latency != null) {
            bytes += latency.estimatedBytes();
        }
        for (FeatureProfile f : new FeatureProfile[] {output, score, label}) {
            if (f != null) {
                bytes += f.estimatedBytes();
            }
        }
        if (numeric != null) {
            bytes += numeric.estimatedBytes() + 16L * numeric.dimension();
        }
        if (confidence != null) {
            bytes += confidence.estimatedBytes();
        }
        for (Map.Entry<String, TreeMap<String, long[]>> row : confusion.entrySet()) {
            bytes += 120 + 2L * row.getKey().length() + row.getValue().size() * (120L);
        }
        for (ScoreHistogram h : binaryScoresByActual.values()) {
            bytes += 120 + h.estimatedBytes();
        }
        bytes += binaryLogLossByActual.size() * 120L;
        for (ScoreHistogram[] h : oneVsRest.values()) {
            bytes += 140 + h[0].estimatedBytes() + h[1].estimatedBytes();
        }
        return bytes;
    }

    public WindowProfile copy() {
        WindowProfile c = new WindowProfile(settings);
        c.merge(this);
        return c;
    }

    public boolean isEmpty() {
        return count == 0 && labeled == 0;
    }

    // ---- read access (package metrics reads these through the accessors) ----

    public long count() {
        return count;
    }

    public long errors() {
        return errors;
    }

    public long labeled() {
        return labeled;
    }

    public long droppedFeatureValues() {
        return droppedFeatureValues;
    }

    public long droppedOutcomes() {
        return droppedOutcomes;
    }

    public long minTimestampMs() {
        return minTimestampMs;
    }

    public long maxTimestampMs() {
        return maxTimestampMs;
    }

    /** The latency sketch (made now if there were few values), or null without latencies. */
    public KllDoublesSketch latency() {
        return latency == null ? null : latency.sketch();
    }

    public Map<String, FeatureProfile> features() {
        return Collections.unmodifiableMap(features);
    }

    public FeatureProfile output() {
        return output;
    }

    /** The distribution of the joined labels (class names, or regression targets); null before any label. */
    public FeatureProfile label() {
        return label;
    }

    public FeatureProfile score() {
        return score;
    }

    /** Confusion counts: actual class → predicted class → count. */
    public Map<String, Map<String, Long>> confusion() {
        Map<String, Map<String, Long>> m = new TreeMap<>();
        confusion.forEach((a, row) -> {
            Map<String, Long> r = new TreeMap<>();
            row.forEach((p, c) -> r.put(p, c[0]));
            m.put(a, r);
        });
        return m;
    }

    public Map<String, ScoreHistogram> binaryScoresByActual() {
        return Collections.unmodifiableMap(binaryScoresByActual);
    }

    public Map<String, double[]> binaryLogLossByActual() {
        return Collections.unmodifiableMap(binaryLogLossByActual);
    }

    public Map<String, ScoreHistogram[]> oneVsRest() {
        return Collections.unmodifiableMap(oneVsRest);
    }

    public double multiLogLossSum() {
        return multiLogLossSum;
    }

    public long multiLogLossCount() {
        return multiLogLossCount;
    }

    public long regressionCount() {
        return regN;
    }

    public double absErrorSum() {
        return absErrSum;
    }

    public double squaredErrorSum() {
        return sqErrSum;
    }

    public double absPercentErrorSum() {
        return absPctErrSum;
    }

    /** Sum of squared deviations of the targets from their mean (the total sum of squares). */
    public double targetSumOfSquares() {
        return yM2;
    }

    // ---- serialization ----

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeLong(count);
            out.writeLong(errors);
            out.writeLong(minTimestampMs);
            out.writeLong(maxTimestampMs);
            out.writeBoolean(latency != null && !latency.isEmpty());
            if (latency != null && !latency.isEmpty()) {
                FeatureProfile.writeBytes(out, latency.toBytes());
            }
            out.writeInt(features.size());
            for (Map.Entry<String, FeatureProfile> f : features.entrySet()) {
                out.writeUTF(f.getKey());
                f.getValue().write(out);
            }
            out.writeLong(droppedFeatureValues);
            writeOptional(out, output);
            writeOptional(out, score);
            out.writeLong(labeled);
            out.writeLong(droppedOutcomes);
            out.writeInt(confusion.size());
            for (Map.Entry<String, TreeMap<String, long[]>> row : confusion.entrySet()) {
                out.writeUTF(row.getKey());
                out.writeInt(row.getValue().size());
                for (Map.Entry<String, long[]> cell : row.getValue().entrySet()) {
                    out.writeUTF(cell.getKey());
                    out.writeLong(cell.getValue()[0]);
                }
            }
            out.writeInt(binaryScoresByActual.size());
            for (Map.Entry<String, ScoreHistogram> h : binaryScoresByActual.entrySet()) {
                out.writeUTF(h.getKey());
                h.getValue().write(out);
            }
            out.writeInt(binaryLogLossByActual.size());
            for (Map.Entry<String, double[]> l : binaryLogLossByActual.entrySet()) {
                out.writeUTF(l.getKey());
                out.writeDouble(l.getValue()[0]);
                out.writeDouble(l.getValue()[1]);
            }
            out.writeInt(oneVsRest.size());
            for (Map.Entry<String, ScoreHistogram[]> h : oneVsRest.entrySet()) {
                out.writeUTF(h.getKey());
                h.getValue()[0].write(out);
                h.getValue()[1].write(out);
            }
            out.writeDouble(multiLogLossSum);
            out.writeLong(multiLogLossCount);
            out.writeLong(regN);
            out.writeDouble(absErrSum);
            out.writeDouble(sqErrSum);
            out.writeDouble(absPctErrSum);
            out.writeDouble(yMean);
            out.writeDouble(yM2);
            writeOptional(out, label);
            out.writeBoolean(numeric != null);
            if (numeric != null) {
                FeatureProfile.writeBytes(out, numeric.toBytes());
            }
            out.writeBoolean(confidenceMixed);
            out.writeBoolean(confidence != null);
            if (confidence != null) {
                FeatureProfile.writeBytes(out, confidence.toBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static WindowProfile fromBytes(byte[] bytes, SketchSettings settings) {
        WindowProfile p = new WindowProfile(settings);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION && version != FORMAT_VERSION_1) {
                throw new IllegalArgumentException("unknown window profile format version " + version);
            }
            p.count = in.readLong();
            p.errors = in.readLong();
            p.minTimestampMs = in.readLong();
            p.maxTimestampMs = in.readLong();
            if (in.readBoolean()) {
                p.latency = QuantileValues.fromBytes(FeatureProfile.readBytes(in), settings.kllK());
            }
            int nf = in.readInt();
            for (int i = 0; i < nf; i++) {
                String name = in.readUTF();
                p.features.put(name, FeatureProfile.read(in, p.featureSettings));
            }
            p.droppedFeatureValues = in.readLong();
            p.output = readOptional(in, settings);
            p.score = readOptional(in, settings);
            p.labeled = in.readLong();
            p.droppedOutcomes = in.readLong();
            int nc = in.readInt();
            for (int i = 0; i < nc; i++) {
                String actual = in.readUTF();
                TreeMap<String, long[]> row = new TreeMap<>();
                int cells = in.readInt();
                for (int j = 0; j < cells; j++) {
                    String predicted = in.readUTF();
                    row.put(predicted, new long[] {in.readLong()});
                }
                p.confusion.put(actual, row);
            }
            int nb = in.readInt();
            for (int i = 0; i < nb; i++) {
                p.binaryScoresByActual.put(in.readUTF(), ScoreHistogram.read(in));
            }
            int nl = in.readInt();
            for (int i = 0; i < nl; i++) {
                String actual = in.readUTF();
                p.binaryLogLossByActual.put(actual, new double[] {in.readDouble(), in.readDouble()});
            }
            int no = in.readInt();
            for (int i = 0; i < no; i++) {
                String c = in.readUTF();
                p.oneVsRest.put(c, new ScoreHistogram[] {ScoreHistogram.read(in), ScoreHistogram.read(in)});
            }
            p.multiLogLossSum = in.readDouble();
            p.multiLogLossCount = in.readLong();
            p.regN = in.readLong();
            p.absErrSum = in.readDouble();
            p.sqErrSum = in.readDouble();
            p.absPctErrSum = in.readDouble();
            p.yMean = in.readDouble();
            p.yM2 = in.readDouble();
            if (version >= FORMAT_VERSION) {
                p.label = readOptional(in, settings);
                if (in.readBoolean()) {
                    p.numeric = CoMoments.fromBytes(FeatureProfile.readBytes(in));
                    p.indexNumeric();
                }
                p.confidenceMixed = in.readBoolean();
                if (in.readBoolean()) {
                    p.confidence = ConfidenceProfile.fromBytes(FeatureProfile.readBytes(in));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt window profile", e);
        }
        return p;
    }

    private static void writeOptional(DataOutputStream out, FeatureProfile f) throws IOException {
        out.writeBoolean(f != null);
        if (f != null) {
            f.write(out);
        }
    }

    private static FeatureProfile readOptional(DataInputStream in, SketchSettings settings) throws IOException {
        return in.readBoolean() ? FeatureProfile.read(in, settings) : null;
    }
}
