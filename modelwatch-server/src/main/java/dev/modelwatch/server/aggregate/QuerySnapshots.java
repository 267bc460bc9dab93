package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Copies, for a query, of the profile changes storage may not hold yet, each tagged with the
 * checkpoint from which it does.
 */
final class QuerySnapshots {
    private final RuntimeState state;
    private final ModelHolds holds;

    QuerySnapshots(RuntimeState state, ModelHolds holds) {
        this.state = state;
        this.holds = holds;
    }

    /** See {@link Aggregator#snapshot}. */
    List<Aggregator.Delta> snapshot(String model, String version, String segment, long fromMs, long toMs) {
        List<Aggregator.Delta> out = new ArrayList<>();
        long activeFrom;
        Generation committing = state.committing;
        if (committing != null) {
            copyDeltas(committing, committing.lsn, model, version, segment, fromMs, toMs, out);
            activeFrom = committing.lsn + 1;
        } else {
            activeFrom = state.committedLsn + 1;
        }
        if (holds.isHeld(model)) {
            activeFrom = Long.MAX_VALUE; // storage does not hold them, whatever its checkpoint says
        }
        copyDeltas(state.active, activeFrom, model, version, segment, fromMs, toMs, out);
        return out;
    }

    private static void copyDeltas(Generation g, long commitLsn, String model, String version, String segment,
                                   long fromMs, long toMs, List<Aggregator.Delta> out) {
        for (Map.Entry<ProfileKey, WindowProfile> d : g.deltas.entrySet()) {
            ProfileKey k = d.getKey();
            if (k.model().equals(model) && k.segment().equals(segment)
                    && (version == null || k.version().equals(version))
                    && k.windowStartMs() >= fromMs && k.windowStartMs() < toMs) {
                out.add(new Aggregator.Delta(k, d.getValue().copy(), commitLsn));
            }
        }
    }
}
