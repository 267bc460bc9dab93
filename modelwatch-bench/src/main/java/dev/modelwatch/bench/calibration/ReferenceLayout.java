package dev.modelwatch.bench.calibration;

import dev.modelwatch.core.drift.multivariate.CoMomentChunks;
import java.util.List;

/** The sizes of the co-moment chunks the reference builder keeps for a reference of a given size. */
final class ReferenceLayout {
    private ReferenceLayout() {
    }

    static List<Long> chunkSizes(long rows) {
        return CoMomentChunks.layout(rows);
    }
}
