package dev.modelwatch.core.drift.multivariate;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a {@link PcaReconstructionModel}, little-endian, led by a format byte.
 *
 * <p><b>Format 2</b> (written): settings (variance fraction, band sds, min rows), feature names (int
 * count, then int length and UTF-8 each), reference rows, a status byte per feature (0 used, 1 no
 * values, 2 constant), the used features' means and scales, the eigenvalues (count then values), the
 * kept components (count then m values each), a byte saying whether a band follows, the band (center,
 * sd per row, center rows, degrees of freedom, third cumulant, chunks, folds), the chunks used, and
 * the reason (int length, -1 for none).
 *
 * <p><b>Format 1</b> (read, written before cross-fitting): the same up to the components, then the
 * in-sample center, the per-row sd and the chunks used, then the reason. Its band is read as centered
 * on that in-sample error with {@code chunks - 1} degrees of freedom and no skewness, over the
 * reference's rows, and {@code folds = 0} says so.
 */
final class PcaModelCodec {
    private static final byte FORMAT_1 = 1;
    private static final byte FORMAT_2 = 2;

    private PcaModelCodec() {
    }

    static byte[] encode(PcaReconstructionModel model) {
        PcaComponents c = model.fitted();
        List<String> names = model.featureNames();
        int m = c.used().length;
        byte[][] encoded = new byte[names.size()][];
        int size = 1 + 24 + 4 + 8 + names.size() + 16 * m + 4 + 8 * c.eigenvalues().length + 4
                + 8 * m * c.vectors().length + 1 + 48 + 4 + 4;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = names.get(i).getBytes(StandardCharsets.UTF_8);
            size += 4 + encoded[i].length;
        }
        byte[] why = model.reason() == null ? null : model.reason().getBytes(StandardCharsets.UTF_8);
        size += why == null ? 0 : why.length;
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(FORMAT_2);
        PcaReconstructionModel.Settings settings = model.settings();
        out.putDouble(settings.varianceFraction());
        out.putDouble(settings.bandSds());
        out.putLong(settings.minRows());
        out.putInt(encoded.length);
        for (byte[] name : encoded) {
            out.putInt(name.length);
            out.put(name);
        }
        out.putLong(model.referenceRows());
        out.put(model.status());
        putAll(out, c.means());
        putAll(out, c.scales());
        out.putInt(c.eigenvalues().length);
        putAll(out, c.eigenvalues());
        out.putInt(c.vectors().length);
        for (double[] vector : c.vectors()) {
            putAll(out, vector);
        }
        ReconstructionErrorBand band = model.band();
        out.put((byte) (band == null ? 0 : 1));
        if (band == null) {
            out.put(new byte[48]);
        } else {
            out.putDouble(band.center());
            out.putDouble(band.sdPerRow());
            out.putLong(band.centerRows());
            out.putDouble(band.dof());
            out.putDouble(band.thirdCumulant());
            out.putInt(band.chunks());
            out.putInt(band.folds());
        }
        out.putInt(model.chunksUsed());
        out.putInt(why == null ? -1 : why.length);
        if (why != null) {
            out.put(why);
        }
        return out.array();
    }

    private static void putAll(ByteBuffer out, double[] values) {
        for (double v : values) {
            out.putDouble(v);
        }
    }

    static PcaReconstructionModel decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte version = in.get();
            if (version != FORMAT_1 && version != FORMAT_2) {
                throw new IllegalArgumentException("unknown PCA reconstruction model format version " + version
                        + ", expected " + FORMAT_1 + " or " + FORMAT_2);
            }
            PcaReconstructionModel.Settings settings = new PcaReconstructionModel.Settings(in.getDouble(),
                    in.getDouble(), in.getLong());
            int d = in.getInt();
            if (d < 1 || d > CoMoments.MAX_FEATURES) {
                throw new IllegalArgumentException("PCA model feature count must be in [1, " + CoMoments.MAX_FEATURES
                        + "], was " + d);
            }
            List<String> names = new ArrayList<>(d);
            for (int i = 0; i < d; i++) {
                names.add(string(in, "feature name " + i));
            }
            long referenceRows = in.getLong();
            byte[] status = new byte[d];
            in.get(status);
            for (int i = 0; i < d; i++) {
                if (status[i] != PcaReconstructionModel.USED && status[i] != PcaReconstructionModel.NO_VALUES
                        && status[i] != PcaReconstructionModel.CONSTANT) {
                    throw new IllegalArgumentException("PCA model feature " + i + " has unknown status " + status[i]);
                }
            }
            int[] used = PcaReconstructionModel.usedIndices(status);
            int m = used.length;
            double[] means = doubles(in, m);
            double[] scales = doubles(in, m);
            int e = in.getInt();
            if (e != 0 && e != m) {
                throw new IllegalArgumentException("PCA model must have 0 or " + m + " eigenvalues, had " + e);
            }
            double[] eigenvalues = doubles(in, e);
            int k = in.getInt();
            if (k < 0 || k > e) {
                throw new IllegalArgumentException("PCA model must keep between 0 and " + e + " components, had " + k);
            }
            double[][] vectors = new double[k][];
            for (int c = 0; c < k; c++) {
                vectors[c] = doubles(in, m);
            }
            ReconstructionErrorBand band;
            int chunksUsed;
            String reason;
            if (version == FORMAT_1) {
                double center = in.getDouble();
                double sd = in.getDouble();
                chunksUsed = in.getInt();
                reason = reason(in);
                band = reason != null ? null : legacyBand(center, sd, referenceRows, chunksUsed);
            } else {
                boolean hasBand = in.get() != 0;
                double center = in.getDouble();
                double sd = in.getDouble();
                long rows = in.getLong();
                double dof = in.getDouble();
                double k3 = in.getDouble();
                int chunks = in.getInt();
                int folds = in.getInt();
                chunksUsed = in.getInt();
                reason = reason(in);
                band = hasBand ? new ReconstructionErrorBand(center, sd, rows, dof, k3, chunks, folds) : null;
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("PCA model bytes have " + in.remaining() + " bytes past the end");
            }
            if (reason == null && (k == 0 || k >= m || band == null)) {
                throw new IllegalArgumentException("PCA model without a reason must have 0 < k < " + m
                        + " components and a band, had k = " + k + " and " + (band == null ? "no band" : band));
            }
            return new PcaReconstructionModel(settings, names, referenceRows, status,
                    new PcaComponents(used, means, scales, eigenvalues, vectors), band, chunksUsed, reason);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("PCA model bytes are truncated (" + bytes.length + " bytes)", e);
        }
    }

    private static ReconstructionErrorBand legacyBand(double center, double sd, long referenceRows, int chunks) {
        if (!Double.isFinite(center) || !(sd >= 0) || chunks < 2) {
            throw new IllegalArgumentException("PCA model without a reason must have a finite band, had center "
                    + center + ", sd " + sd + ", chunks " + chunks);
        }
        return new ReconstructionErrorBand(center, sd, Math.max(1, referenceRows), chunks - 1, 0, chunks, 0);
    }

    private static String reason(ByteBuffer in) {
        if (in.getInt(in.position()) == -1) {
            in.getInt();
            return null;
        }
        return string(in, "reason");
    }

    private static String string(ByteBuffer in, String what) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("PCA model " + what + " has length " + length + " but only "
                    + in.remaining() + " bytes remain");
        }
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static double[] doubles(ByteBuffer in, int count) {
        if (8L * count > in.remaining()) {
            throw new IllegalArgumentException("PCA model needs " + 8L * count + " more bytes, had " + in.remaining());
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = in.getDouble();
        }
        return v;
    }
}
