package dev.modelwatch.core.profile;

import java.util.Arrays;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantilesDoublesSketchIterator;

/**
 * The values of a quantile distribution: the first {@value #MAX_EXACT} values as they are, then a
 * KLL sketch. A KLL sketch allocates {@code k} doubles on its first value (6.4 KB at k = 800), while
 * most window profiles of a segment or a quiet model see a few values: those keep a small array
 * instead. The sketch made from the array (a new sketch updated with each value) is the sketch the
 * values would have built directly: below {@code k} values a KLL sketch is exact and has never
 * compacted, so nothing depends on when it was made. Serialized, both are the same KLL bytes.
 *
 * <p>Not thread-safe: one writer.
 */
public final class QuantileValues {
    /** Values kept as they are before a sketch is made (512 bytes). */
    static final int MAX_EXACT = 64;

    private final int k;
    private double[] exact;
    private int size;
    private KllDoublesSketch sketch;

    /** Empty values that become a sketch of accuracy {@code k}. */
    public QuantileValues(int k) {
        this.k = k;
    }

    private QuantileValues(int k, KllDoublesSketch sketch) {
        this.k = k;
        this.sketch = sketch;
    }

    public void update(double v) {
        if (sketch != null) {
            sketch.update(v);
            return;
        }
        if (size == MAX_EXACT || size >= k) {
            materialize().update(v);
            return;
        }
        if (exact == null) {
            exact = new double[4];
        } else if (size == exact.length) {
            exact = Arrays.copyOf(exact, Math.min(Math.min(MAX_EXACT, k), size * 2));
        }
        exact[size++] = v;
    }

    /** Adds the values of {@code o}; afterwards these values describe the union of both. */
    public void merge(QuantileValues o) {
        if (o.isEmpty()) {
            return;
        }
        if (o.sketch == null) {
            for (int i = 0; i < o.size; i++) {
                update(o.exact[i]);
            }
            return;
        }
        if (sketch == null) {
            // an exact copy of the other sketch (merging into an empty sketch re-inserts and may compact
            // differently), then this side's few values
            double[] mine = exact;
            int mineSize = size;
            sketch = KllDoublesSketch.heapify(Memory.wrap(o.sketch.toByteArray()));
            exact = null;
            size = 0;
            for (int i = 0; i < mineSize; i++) {
                sketch.update(mine[i]);
            }
            return;
        }
        sketch.merge(o.sketch);
    }

    public QuantileValues copy() {
        QuantileValues c = new QuantileValues(k);
        c.merge(this);
        return c;
    }

    public boolean isEmpty() {
        return sketch == null ? size == 0 : sketch.isEmpty();
    }

    public long n() {
        return sketch == null ? size : sketch.getN();
    }

    /**
     * The KLL sketch of these values, to read. While the values are few it is made for this call
     * and not kept (a profile that is only read, such as a cached reference, stays small); treat it
     * as read-only.
     */
    public KllDoublesSketch sketch() {
        return sketch != null ? sketch : sketchOfExact();
    }

    /** Makes the sketch these values become from now on. */
    private KllDoublesSketch materialize() {
        if (sketch == null) {
            sketch = sketchOfExact();
            exact = null;
            size = 0;
        }
        return sketch;
    }

    private KllDoublesSketch sketchOfExact() {
        KllDoublesSketch s = KllDoublesSketch.newHeapInstance(k);
        for (int i = 0; i < size; i++) {
            s.update(exact[i]);
        }
        return s;
    }

    /** The value at normalized rank {@code rank}, NaN when empty. */
    public double quantile(double rank) {
        return isEmpty() ? Double.NaN : sketch().getQuantile(rank);
    }

    /** The KLL serialization (what {@link KllDoublesSketch#toByteArray()} writes). */
    public byte[] toBytes() {
        return sketch().toByteArray();
    }

    /**
     * Reads a KLL serialization; an exact sketch of few values is kept as its values (in the sketch's
     * order: a KLL sketch below {@code k} values sorts them before its first compaction, so the order
     * changes nothing), any other is heapified.
     *
     * @param k the accuracy the values get when they become a sketch here; a stored sketch keeps its own
     */
    public static QuantileValues fromBytes(byte[] bytes, int k) {
        KllDoublesSketch wrapped = KllDoublesSketch.wrap(Memory.wrap(bytes));
        if (!wrapped.isEstimationMode() && wrapped.getN() <= MAX_EXACT && wrapped.getK() == k) {
            QuantileValues v = new QuantileValues(k);
            QuantilesDoublesSketchIterator it = wrapped.iterator();
            while (it.next()) {
                v.update(it.getQuantile());
            }
            return v;
        }
        return new QuantileValues(wrapped.getK(), KllDoublesSketch.heapify(Memory.wrap(bytes)));
    }

    /** The accuracy parameter of the sketch these values are or will be. */
    public int k() {
        return sketch == null ? k : sketch.getK();
    }

    /** An upper estimate of the heap these values take, in bytes. */
    public long estimatedBytes() {
        if (sketch == null) {
            return 32 + (exact == null ? 0 : 16 + 8L * exact.length);
        }
        return 96 + KllSketch.getMaxSerializedSizeBytes(sketch.getK(), sketch.getN(),
                KllSketch.SketchType.DOUBLES_SKETCH, true);
    }
}
