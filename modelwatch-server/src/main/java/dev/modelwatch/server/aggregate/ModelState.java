package dev.modelwatch.server.aggregate;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.server.ingest.Limits;
import dev.modelwatch.store.ModelRecord;
import java.util.TreeSet;

/** Mutable model bookkeeping, owned by the aggregation thread. */
final class ModelState {
    ModelSpec spec;
    long first;
    long last;
    long predictionCount;
    final TreeSet<String> versions;
    private String lastVersion;
    /** The version seen before the last one (a shared instance): two versions often alternate (a canary). */
    private String previousVersion;

    ModelState(ModelSpec spec, long first, long last, long count, TreeSet<String> versions) {
        this.spec = spec;
        this.first = first;
        this.last = last;
        this.predictionCount = count;
        this.versions = versions;
    }

    /**
     * The version an event is counted under: itself when known or when there is room for it
     * ({@code max} versions), else {@code __other__}.
     */
    String admitVersion(String version, int max) {
        if (version == lastVersion || versions.size() < max || versions.contains(version)) {
            return version;
        }
        return Limits.OTHER;
    }

    /** The version of the last event seen (a shared instance), null before the first. */
    String lastVersion() {
        return lastVersion;
    }

    void seen(long ts, String version) {
        first = Math.min(first, ts);
        last = Math.max(last, ts);
        predictionCount++;
        // versions arrive as shared instances (SharedValues): most events repeat the last one
        if (version != lastVersion) {
            if (version != previousVersion) {
                versions.add(version);
            }
            previousVersion = lastVersion;
            lastVersion = version;
        }
    }

    ModelRecord record() {
        return new ModelRecord(spec, first, last, predictionCount, versions);
    }
}
