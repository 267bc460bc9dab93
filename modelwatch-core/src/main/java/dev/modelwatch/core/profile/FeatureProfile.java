package dev.modelwatch.core.profile;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * Everything a window knows about one feature (or the model output): exact counts, exact moments
 * of the finite numerical values (merged with Chan et al.'s parallel update of mean and M2), a KLL
 * sketch for quantiles, and for string values a frequent-items sketch and an HLL distinct count.
 */
public final class FeatureProfile {
    private static final ArrayOfStringsSerDe SERDE = new ArrayOfStringsSerDe();

    private final SketchSettings settings;
    long nulls;
    long nanCount;
    long infCount;
    // finite numerical values
    long numeric;
    double mean;
    double m2;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    QuantileValues quantiles;
    // string values
    long strings;
    ItemsSketch<String> frequent;
    HllSketch distinct;
    /** The longest string value seen here, for {@link #estimatedBytes()} (not serialized). */
    int longestString;

    public FeatureProfile(SketchSettings settings) {
        this.settings = settings;
    }

    public void addNull() {
        nulls++;
    }

    public void add(double v) {
        if (Double.isNaN(v)) {
            nanCount++;
            return;
        }
        if (Double.isInfinite(v)) {
            infCount++;
            return;
        }
        numeric++;
        double delta = v - mean;
        mean += delta / numeric;
        m2 += delta * (v - mean);
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
        if (quantiles == null) {
            quantiles = new QuantileValues(settings.kllK());
        }
        quantiles.update(v);
    }

    public void add(String s) {
        strings++;
        if (frequent == null) {
            frequent = new ItemsSketch<>(settings.itemsMapSize());
            distinct = new HllSketch(settings.hllLgK());
        }
        frequent.update(s);
        distinct.update(s);
        if (s.length() > longestString) {
            longestString = s.length();
        }
    }

    /** Values that were present (not null): numbers (finite or not) and strings. */
    public long present() {
        return numeric + nanCount + infCount + strings;
    }

    public long nulls() {
        return nulls;
    }

    public long numericCount() {
        return numeric;
    }

    public long nanCount() {
        return nanCount;
    }

    public long infCount() {
        return infCount;
    }

    public long stringCount() {
        return strings;
    }

    public boolean isNumerical() {
        return numeric + nanCount + infCount >= strings;
    }

    public double mean() {
        return numeric == 0 ? Double.NaN : mean;
    }

    /** Sample standard deviation (n - 1 in the denominator, as pandas and numpy with ddof=1). */
    public double std() {
        return numeric < 2 ? Double.NaN : Math.sqrt(m2 / (numeric - 1));
    }

    public double min() {
        return numeric == 0 ? Double.NaN : min;
    }

    public double max() {
        return numeric == 0 ? Double.NaN : max;
    }

    /** The value at normalized rank {@code rank}, or NaN without numerical values. */
    public double quantile(double rank) {
        return quantiles == null ? Double.NaN : quantiles.quantile(rank);
    }

    /** The KLL sketch of the finite numerical values (made now if they were few), or null without any. */
    public KllDoublesSketch quantileSketch() {
        return quantiles == null ? null : quantiles.sketch();
    }

    public ItemsSketch<String> frequentItems() {
        return frequent;
    }

    public double distinctEstimate() {
        return distinct == null ? 0 : distinct.getEstimate();
    }

    public void merge(FeatureProfile o) {
        nulls += o.nulls;
        nanCount += o.nanCount;
        infCount += o.infCount;
        if (o.numeric > 0) {
            long n = numeric + o.numeric;
            if (numeric == 0) {
                // the union's moments are the other side's; Chan's update would compute mean * n / n,
                // which is not always the same double, so that a copy would differ in the last bit
                mean = o.mean;
                m2 = o.m2;
            } else {
                double delta = o.mean - mean;
                m2 = m2 + o.m2 + delta * delta * ((double) numeric * o.numeric / n);
                mean = mean + delta * o.numeric / n;
            }
            numeric = n;
            min = Math.min(min, o.min);
            max = Math.max(max, o.max);
            if (quantiles == null) {
                quantiles = new QuantileValues(settings.kllK());
            }
            quantiles.merge(o.quantiles);
        }
        if (o.strings > 0) {
            strings += o.strings;
            if (frequent == null) {
                frequent = new ItemsSketch<>(Math.max(settings.itemsMapSize(), o.frequent.getMaximumMapCapacity() * 4 / 3));
                distinct = new HllSketch(settings.hllLgK());
            }
            frequent.merge(o.frequent);
            longestString = Math.max(longestString, o.longestString);
            Union union = new Union(Math.max(distinct.getLgConfigK(), o.distinct.getLgConfigK()));
            union.update(distinct);
            union.update(o.distinct);
            distinct = union.getResult(TgtHllType.HLL_8);
        }
    }

    /**
     * An upper estimate of the heap this profile takes, in bytes: the quantile values or sketch, and
     * for string values the frequent-items map (its entries at the longest string seen, two bytes a
     * character) and the distinct-count sketch.
     */
    public long estimatedBytes() {
        long bytes = 96;
        if (quantiles != null) {
            bytes += quantiles.estimatedBytes();
        }
        if (frequent != null) {
            bytes += 160 + frequent.getCurrentMapCapacity() * 4L / 3 * 24
                    + frequent.getNumActiveItems() * (48L + 2L * longestString);
            bytes += 64 + distinct.getUpdatableSerializationBytes();
        }
        return bytes;
    }

    public FeatureProfile copy() {
        FeatureProfile c = new FeatureProfile(settings);
        c.merge(this);
        return c;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeLong(nulls);
        out.writeLong(nanCount);
        out.writeLong(infCount);
        out.writeLong(numeric);
        if (numeric > 0) {
            out.writeDouble(mean);
            out.writeDouble(m2);
            out.writeDouble(min);
            out.writeDouble(max);
            writeBytes(out, quantiles.toBytes());
        }
        out.writeLong(strings);
        if (strings > 0) {
            writeBytes(out, frequent.toByteArray(SERDE));
            writeBytes(out, distinct.toCompactByteArray());
        }
    }

    static FeatureProfile read(DataInputStream in, SketchSettings settings) throws IOException {
        FeatureProfile f = new FeatureProfile(settings);
        f.nulls = in.readLong();
        f.nanCount = in.readLong();
        f.infCount = in.readLong();
        f.numeric = in.readLong();
        if (f.numeric > 0) {
            f.mean = in.readDouble();
            f.m2 = in.readDouble();
            f.min = in.readDouble();
            f.max = in.readDouble();
            f.quantiles = QuantileValues.fromBytes(readBytes(in), settings.kllK());
        }
        f.strings = in.readLong();
        if (f.strings > 0) {
            f.frequent = ItemsSketch.getInstance(Memory.wrap(readBytes(in)), SERDE);
            f.distinct = HllSketch.heapify(readBytes(in));
        }
        return f;
    }

    /** Writes a length-prefixed byte array, as the profile encodings nest their parts. */
    public static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** Reads what {@link #writeBytes} wrote; a negative or impossible length is a corrupt encoding. */
    public static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static FeatureProfile fromBytes(byte[] bytes, SketchSettings settings) throws IOException {
        return read(new DataInputStream(new ByteArrayInputStream(bytes)), settings);
    }
}
