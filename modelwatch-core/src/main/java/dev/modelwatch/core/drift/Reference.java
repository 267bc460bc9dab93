package dev.modelwatch.core.drift;

import dev.modelwatch.core.drift.multivariate.PcaReconstructionModel;
import dev.modelwatch.core.estimate.Calibrator;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What current traffic is compared with: the profile of a model's training (or any chosen) data,
 * and what was fitted on it — the multivariate drift model and the score calibration used to
 * estimate performance without labels. Built by {@link ReferenceBuilder} from uploaded rows, or by
 * {@link #baseline} from the first windows of a version; the raw rows are never kept.
 *
 * <p>Usage:
 * <pre>{@code
 * Reference ref = Reference.fromBytes(stored);
 * FeatureProfile amount = ref.profile().features().get("amount");
 * MultivariateDriftResult m = ref.multivariate().evaluate(window.numericCoMoments());
 * }</pre>
 *
 * @see ReferenceBuilder
 */
public final class Reference {
    private static final byte FORMAT_VERSION = 1;
    /** A reference built from uploaded rows. */
    public static final String UPLOAD = "upload";
    /** A reference taken from a version's first windows of traffic. */
    public static final String BASELINE = "baseline";

    private final String source;
    private final WindowProfile profile;
    private final Map<String, Double> featureImportances;
    private final PcaReconstructionModel multivariate;
    private final Map<String, Calibrator> calibrators;

    /**
     * @param source             {@link #UPLOAD} or {@link #BASELINE}
     * @param profile            the reference data's profile
     * @param featureImportances feature name to a non-negative weight; empty when none were given
     * @param multivariate       the fitted multivariate drift model, or null when there were fewer than two
     *                           numerical features (its own {@code reason()} says when it cannot decide)
     * @param calibrators        score calibration fitted on labelled rows: for a binary model one entry
     *                           under the positive class, for a multiclass model one per class; empty when
     *                           the reference had no labelled scores (scores are then taken as calibrated)
     */
    public Reference(String source, WindowProfile profile, Map<String, Double> featureImportances,
                     PcaReconstructionModel multivariate, Map<String, Calibrator> calibrators) {
        this.source = Objects.requireNonNull(source, "source");
        this.profile = Objects.requireNonNull(profile, "profile");
        this.featureImportances = Collections.unmodifiableMap(new LinkedHashMap<>(
                featureImportances == null ? Map.of() : featureImportances));
        for (Map.Entry<String, Double> w : this.featureImportances.entrySet()) {
            if (!(w.getValue() >= 0 && Double.isFinite(w.getValue()))) {
                throw new IllegalArgumentException("featureImportances." + w.getKey() + " must be a finite number >= 0, was "
                        + w.getValue());
            }
        }
        this.multivariate = multivariate;
        this.calibrators = Collections.unmodifiableMap(new TreeMap<>(calibrators == null ? Map.of() : calibrators));
    }

    /**
     * A reference from traffic: the merged profile of a version's first windows. Nothing is fitted on
     * it but the multivariate model (from the windows' co-moments, each window one chunk); scores are
     * taken as calibrated.
     *
     * @param windows each base window of the baseline period, for the multivariate model's chunks
     */
    public static Reference baseline(WindowProfile merged, java.util.List<WindowProfile> windows) {
        PcaReconstructionModel model = null;
        if (merged.numericCoMoments() != null && merged.numericCoMoments().dimension() >= 2) {
            java.util.List<dev.modelwatch.core.drift.multivariate.CoMoments> chunks = new java.util.ArrayList<>();
            java.util.List<String> names = merged.numericCoMoments().featureNames();
            for (WindowProfile w : windows) {
                if (w.numericCoMoments() != null) {
                    chunks.add(w.numericCoMoments().select(names));
                }
            }
            model = PcaReconstructionModel.fit(merged.numericCoMoments(), chunks);
        }
        return new Reference(BASELINE, merged, Map.of(), model, Map.of());
    }

    public String source() {
        return source;
    }

    public WindowProfile profile() {
        return profile;
    }

    /** Rows (predictions) the reference was built from. */
    public long rows() {
        return profile.count();
    }

    public Map<String, Double> featureImportances() {
        return featureImportances;
    }

    /** The multivariate drift model, or null when the reference had fewer than two numerical features. */
    public PcaReconstructionModel multivariate() {
        return multivariate;
    }

    /** Score calibrators by class; empty when scores are taken as calibrated. */
    public Map<String, Calibrator> calibrators() {
        return calibrators;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeUTF(source);
            FeatureProfile.writeBytes(out, profile.toBytes());
            out.writeInt(featureImportances.size());
            for (Map.Entry<String, Double> w : featureImportances.entrySet()) {
                out.writeUTF(w.getKey());
                out.writeDouble(w.getValue());
            }
            out.writeBoolean(multivariate != null);
            if (multivariate != null) {
                FeatureProfile.writeBytes(out, multivariate.toBytes());
            }
            out.writeInt(calibrators.size());
            for (Map.Entry<String, Calibrator> c : calibrators.entrySet()) {
                out.writeUTF(c.getKey());
                FeatureProfile.writeBytes(out, c.getValue().toBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Reference fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown reference format version " + version);
            }
            String source = in.readUTF();
            WindowProfile profile = WindowProfile.fromBytes(FeatureProfile.readBytes(in), SketchSettings.REFERENCE);
            int nw = in.readInt();
            Map<String, Double> importances = new LinkedHashMap<>();
            for (int i = 0; i < nw; i++) {
                importances.put(in.readUTF(), in.readDouble());
            }
            PcaReconstructionModel model = in.readBoolean()
                    ? PcaReconstructionModel.fromBytes(FeatureProfile.readBytes(in)) : null;
            int nc = in.readInt();
            Map<String, Calibrator> calibrators = new TreeMap<>();
            for (int i = 0; i < nc; i++) {
                calibrators.put(in.readUTF(), Calibrator.fromBytes(FeatureProfile.readBytes(in)));
            }
            return new Reference(source, profile, importances, model, calibrators);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt reference", e);
        }
    }
}
