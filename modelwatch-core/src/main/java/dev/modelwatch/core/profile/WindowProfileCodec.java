package dev.modelwatch.core.profile;

import dev.modelwatch.core.drift.multivariate.CoMoments;
import dev.modelwatch.core.estimate.ConfidenceProfile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stored format of a {@link WindowProfile}: a version byte, the prediction side (counts,
 * latency, features, output, score), the outcomes, then (since format 2) the label distribution,
 * the numerical co-moments and the confidence profile. Sketches are written in their DataSketches
 * serialization.
 */
final class WindowProfileCodec {
    private static final byte FORMAT_VERSION = 2;
    /** Format 1 had no label profile; it is still read. */
    private static final byte FORMAT_VERSION_1 = 1;

    private WindowProfileCodec() {
    }

    static byte[] toBytes(WindowProfile p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeLong(p.count);
            out.writeLong(p.errors);
            out.writeLong(p.minTimestampMs);
            out.writeLong(p.maxTimestampMs);
            out.writeBoolean(p.latency != null && !p.latency.isEmpty());
            if (p.latency != null && !p.latency.isEmpty()) {
                FeatureProfile.writeBytes(out, p.latency.toBytes());
            }
            Map<String, FeatureProfile> features = p.features.view();
            out.writeInt(features.size());
            for (Map.Entry<String, FeatureProfile> f : features.entrySet()) {
                out.writeUTF(f.getKey());
                f.getValue().write(out);
            }
            out.writeLong(p.features.dropped());
            writeOptional(out, p.output);
            writeOptional(out, p.score);
            writeOutcomes(out, p.outcomes);
            CoMoments numeric = p.numeric.coMoments();
            out.writeBoolean(numeric != null);
            if (numeric != null) {
                FeatureProfile.writeBytes(out, numeric.toBytes());
            }
            ConfidenceProfile confidence = p.confidence.kept();
            out.writeBoolean(p.confidence.mixed());
            out.writeBoolean(confidence != null);
            if (confidence != null) {
                FeatureProfile.writeBytes(out, confidence.toBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static WindowProfile fromBytes(byte[] bytes, SketchSettings settings) {
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
                p.features.put(name, FeatureProfile.read(in, p.features.settings()));
            }
            p.features.setDropped(in.readLong());
            p.output = readOptional(in, settings);
            p.score = readOptional(in, settings);
            p.outcomes = readOutcomes(in, settings, version >= FORMAT_VERSION);
            if (version >= FORMAT_VERSION) {
                if (in.readBoolean()) {
                    p.numeric.set(CoMoments.fromBytes(FeatureProfile.readBytes(in)));
                }
                boolean mixed = in.readBoolean();
                p.confidence.set(mixed, in.readBoolean() ? ConfidenceProfile.fromBytes(FeatureProfile.readBytes(in)) : null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt window profile", e);
        }
        return p;
    }

    /** Writes the outcomes; the label distribution last (it came with format 2). */
    private static void writeOutcomes(DataOutputStream out, OutcomeProfile o) throws IOException {
        out.writeLong(o.labeled);
        out.writeLong(o.droppedOutcomes);
        out.writeInt(o.confusion.size());
        for (Map.Entry<String, TreeMap<String, long[]>> row : o.confusion.entrySet()) {
            out.writeUTF(row.getKey());
            out.writeInt(row.getValue().size());
            for (Map.Entry<String, long[]> cell : row.getValue().entrySet()) {
                out.writeUTF(cell.getKey());
                out.writeLong(cell.getValue()[0]);
            }
        }
        out.writeInt(o.binaryScoresByActual.size());
        for (Map.Entry<String, ScoreHistogram> h : o.binaryScoresByActual.entrySet()) {
            out.writeUTF(h.getKey());
            h.getValue().write(out);
        }
        out.writeInt(o.binaryLogLossByActual.size());
        for (Map.Entry<String, double[]> l : o.binaryLogLossByActual.entrySet()) {
            out.writeUTF(l.getKey());
            out.writeDouble(l.getValue()[0]);
            out.writeDouble(l.getValue()[1]);
        }
        out.writeInt(o.oneVsRest.size());
        for (Map.Entry<String, ScoreHistogram[]> h : o.oneVsRest.entrySet()) {
            out.writeUTF(h.getKey());
            h.getValue()[0].write(out);
            h.getValue()[1].write(out);
        }
        out.writeDouble(o.multiLogLossSum);
        out.writeLong(o.multiLogLossCount);
        out.writeLong(o.regN);
        out.writeDouble(o.absErrSum);
        out.writeDouble(o.sqErrSum);
        out.writeDouble(o.absPctErrSum);
        out.writeDouble(o.yMean);
        out.writeDouble(o.yM2);
        writeOptional(out, o.label);
    }

    private static OutcomeProfile readOutcomes(DataInputStream in, SketchSettings settings, boolean withLabel) throws IOException {
        OutcomeProfile o = new OutcomeProfile(settings);
        o.labeled = in.readLong();
            o.droppedOutcomes = in.readLong();
            int nc = in.readInt();
            for (int i = 0; i < nc; i++) {
                String actual = in.readUTF();
                TreeMap<String, long[]> row = new TreeMap<>();
                int cells = in.readInt();
                for (int j = 0; j < cells; j++) {
                    String predicted = in.readUTF();
                    row.put(predicted, new long[] {in.readLong()});
                }
                o.confusion.put(actual, row);
            }
            int nb = in.readInt();
            for (int i = 0; i < nb; i++) {
                o.binaryScoresByActual.put(in.readUTF(), ScoreHistogram.read(in));
            }
            int nl = in.readInt();
            for (int i = 0; i < nl; i++) {
                String actual = in.readUTF();
                o.binaryLogLossByActual.put(actual, new double[] {in.readDouble(), in.readDouble()});
            }
            int no = in.readInt();
            for (int i = 0; i < no; i++) {
                String c = in.readUTF();
                o.oneVsRest.put(c, new ScoreHistogram[] {ScoreHistogram.read(in), ScoreHistogram.read(in)});
            }
            o.multiLogLossSum = in.readDouble();
            o.multiLogLossCount = in.readLong();
            o.regN = in.readLong();
            o.absErrSum = in.readDouble();
            o.sqErrSum = in.readDouble();
            o.absPctErrSum = in.readDouble();
            o.yMean = in.readDouble();
            o.yM2 = in.readDouble();
        if (withLabel) {
            o.label = readOptional(in, settings);
        }
        return o;
    }

    static void writeOptional(DataOutputStream out, FeatureProfile f) throws IOException {
        out.writeBoolean(f != null);
        if (f != null) {
            f.write(out);
        }
    }

    static FeatureProfile readOptional(DataInputStream in, SketchSettings settings) throws IOException {
        return in.readBoolean() ? FeatureProfile.read(in, settings) : null;
    }
}
