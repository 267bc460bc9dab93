package dev.modelwatch.store;

import static dev.modelwatch.store.CheckpointRepository.CHECKPOINT_ID;
import static dev.modelwatch.store.JdbcDatabase.executeBatched;

import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The {@code window_profiles} table: profiles merged in by commits, read by range, expired by age. */
final class ProfileRepository {
    /** Encoded profiles a commit holds before it writes them (the rest of its memory is bounded by the caller). */
    private static final long MAX_PENDING_PROFILE_BYTES = 8L << 20;
    /** Ranges read by one statement of several models: four parameters each, under SQLite's oldest limit of 999. */
    static final int MAX_RANGES_PER_STATEMENT = 240;
    private static final List<String> PROFILE_KEY = List.of("model", "version", "segment", "resolution_ms", "window_start_ms");
    private static final String PROFILE_KEY_MATCHES = PROFILE_KEY.stream().map(c -> c + " = ?")
            .collect(Collectors.joining(" AND "));
    private static final String INSERT_PROFILE = Dialect.insert("window_profiles",
            Stream.concat(PROFILE_KEY.stream(), Stream.of("profile", "updated_at_ms")).toList());
    private static final String UPDATE_PROFILE = "UPDATE window_profiles SET profile = ?, updated_at_ms = ? WHERE "
            + PROFILE_KEY_MATCHES;
    /** The order in which a commit locks profile rows: the same for every writer, so none deadlock. */
    private static final Comparator<ProfileKey> LOCK_ORDER = Comparator.comparing(ProfileKey::model)
            .thenComparing(ProfileKey::version)
            .thenComparing(k -> k.segment())
            .thenComparingLong(ProfileKey::resolutionMs)
            .thenComparingLong(ProfileKey::windowStartMs);

    private final JdbcDatabase db;
    private final SketchSettings settings;
    private final String selectProfileForUpdate;

    ProfileRepository(JdbcDatabase db, SketchSettings settings) {
        this.db = db;
        this.settings = settings;
        this.selectProfileForUpdate = "SELECT profile FROM window_profiles WHERE " + PROFILE_KEY_MATCHES
                + db.dialect().lockForUpdate();
    }

    /**
     * Reads each key's stored profile under a row lock, merges the delta into it, and writes the
     * result back. A key with no row is inserted; should another writer insert it first, the
     * insert fails on the primary key and the whole flush rolls back, never losing either merge.
     */
    void mergeProfiles(Connection c, Map<ProfileKey, WindowProfile> deltas, long now) throws SQLException {
        if (deltas.isEmpty()) {
            return;
        }
        List<ProfileKey> keys = new ArrayList<>(deltas.keySet());
        keys.sort(LOCK_ORDER);
        List<ProfileRow> inserts = new ArrayList<>();
        List<ProfileRow> updates = new ArrayList<>();
        long pendingBytes = 0;
        try (PreparedStatement select = c.prepareStatement(selectProfileForUpdate)) {
            for (ProfileKey key : keys) {
                bindKey(select, 1, key);
                byte[] stored = null;
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        stored = rs.getBytes(1);
                    }
                }
                WindowProfile delta = deltas.get(key);
                ProfileRow row;
                if (stored == null) {
                    row = new ProfileRow(key, delta.toBytes());
                    inserts.add(row);
                } else {
                    WindowProfile merged = WindowProfile.fromBytes(stored, settings);
                    merged.merge(delta);
                    row = new ProfileRow(key, merged.toBytes());
                    updates.add(row);
                }
                // a roll-up row holds its whole hour or day: write them as they come, not all at the end
                pendingBytes += row.profile().length;
                if (pendingBytes >= MAX_PENDING_PROFILE_BYTES) {
                    writeProfiles(c, inserts, updates, now);
                    pendingBytes = 0;
                }
            }
        }
        writeProfiles(c, inserts, updates, now);
    }

    /** Executes the inserts and updates of merged profiles collected so far, and clears them. */
    private static void writeProfiles(Connection c, List<ProfileRow> inserts, List<ProfileRow> updates, long now)
            throws SQLException {
        executeBatched(c, INSERT_PROFILE, inserts, (s, row) -> {
            bindKey(s, 1, row.key());
            s.setBytes(6, row.profile());
            s.setLong(7, now);
        });
        executeBatched(c, UPDATE_PROFILE, updates, (s, row) -> {
            s.setBytes(1, row.profile());
            s.setLong(2, now);
            bindKey(s, 3, row.key());
        });
        inserts.clear();
        updates.clear();
    }

    private record ProfileRow(ProfileKey key, byte[] profile) {
    }

    List<StoredProfile> profiles(String model, String version, String segment, long resolutionMs,
                                 long fromMs, long toMs) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(segment, "segment");
        String sql = "SELECT version, window_start_ms, profile FROM window_profiles"
                + " WHERE model = ? AND segment = ? AND resolution_ms = ? AND window_start_ms >= ? AND window_start_ms < ?"
                + (version == null ? "" : " AND version = ?")
                + " ORDER BY window_start_ms, version";
        return db.read("reading profiles of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, model);
                s.setString(2, segment);
                s.setLong(3, resolutionMs);
                s.setLong(4, fromMs);
                s.setLong(5, toMs);
                if (version != null) {
                    s.setString(6, version);
                }
                List<StoredProfile> found = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ProfileKey key = new ProfileKey(model, rs.getString(1), segment, resolutionMs, rs.getLong(2));
                        found.add(new StoredProfile(key, WindowProfile.fromBytes(rs.getBytes(3), settings)));
                    }
                }
                return found;
            }
        });
    }

    ProfileRead profiles(String model, String version, String segment, List<ProfileRead.Range> ranges) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(segment, "segment");
        if (ranges.isEmpty()) {
            return new ProfileRead(List.of(), ProfileRead.UNKNOWN);
        }
        StringBuilder sql = new StringBuilder("SELECT resolution_ms, version, window_start_ms, profile,"
                + " (SELECT lsn FROM checkpoint WHERE id = ?) FROM window_profiles WHERE model = ? AND segment = ?");
        if (version != null) {
            sql.append(" AND version = ?");
        }
        sql.append(" AND (");
        for (int i = 0; i < ranges.size(); i++) {
            sql.append(i == 0 ? "" : " OR ").append("(resolution_ms = ? AND window_start_ms >= ? AND window_start_ms < ?)");
        }
        sql.append(") ORDER BY resolution_ms, window_start_ms, version");
        return db.read("reading profiles of " + model, c -> {
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                int i = 1;
                s.setInt(i++, CHECKPOINT_ID);
                s.setString(i++, model);
                s.setString(i++, segment);
                if (version != null) {
                    s.setString(i++, version);
                }
                for (ProfileRead.Range r : ranges) {
                    s.setLong(i++, r.resolutionMs());
                    s.setLong(i++, r.fromMs());
                    s.setLong(i++, r.toMs());
                }
                List<StoredProfile> found = new ArrayList<>();
                long checkpoint = ProfileRead.UNKNOWN;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ProfileKey key = new ProfileKey(model, rs.getString(2), segment, rs.getLong(1), rs.getLong(3));
                        found.add(new StoredProfile(key, WindowProfile.fromBytes(rs.getBytes(4), settings)));
                        checkpoint = rs.getLong(5);
                    }
                }
                return new ProfileRead(found, checkpoint);
            }
        });
    }

    /**
     * Several models' ranges, every version, a statement for up to {@link #MAX_RANGES_PER_STATEMENT}
     * ranges (SQLite's oldest limit is 999 parameters); a model's ranges are never split between two.
     */
    List<ProfileRead> profiles(String segment, List<ProfileRead.ModelRanges> requests) {
        Objects.requireNonNull(segment, "segment");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ProfileRead.ModelRanges r : requests) {
            if (!seen.add(r.model())) {
                throw new IllegalArgumentException("requests: model " + r.model() + " is asked for twice; give all its"
                        + " ranges in one request");
            }
        }
        Map<String, ProfileRead> found = new java.util.HashMap<>();
        List<ProfileRead.ModelRanges> chunk = new ArrayList<>();
        int ranges = 0;
        for (ProfileRead.ModelRanges r : requests) {
            if (r.ranges().isEmpty()) {
                continue;
            }
            if (!chunk.isEmpty() && ranges + r.ranges().size() > MAX_RANGES_PER_STATEMENT) {
                found.putAll(profilesOfModels(segment, chunk));
                chunk.clear();
                ranges = 0;
            }
            chunk.add(r);
            ranges += r.ranges().size();
        }
        if (!chunk.isEmpty()) {
            found.putAll(profilesOfModels(segment, chunk));
        }
        List<ProfileRead> out = new ArrayList<>(requests.size());
        for (ProfileRead.ModelRanges r : requests) {
            out.add(found.getOrDefault(r.model(), new ProfileRead(List.of(), ProfileRead.UNKNOWN)));
        }
        return out;
    }

    /** One statement's models: their profiles by model, each with the statement's checkpoint when it found some. */
    private Map<String, ProfileRead> profilesOfModels(String segment, List<ProfileRead.ModelRanges> chunk) {
        StringBuilder sql = new StringBuilder("SELECT model, resolution_ms, version, window_start_ms, profile,"
                + " (SELECT lsn FROM checkpoint WHERE id = ?) FROM window_profiles WHERE segment = ? AND (");
        boolean first = true;
        for (ProfileRead.ModelRanges r : chunk) {
            for (int i = 0; i < r.ranges().size(); i++) {
                sql.append(first ? "" : " OR ")
                        .append("(model = ? AND resolution_ms = ? AND window_start_ms >= ? AND window_start_ms < ?)");
                first = false;
            }
        }
        sql.append(") ORDER BY model, resolution_ms, window_start_ms, version");
        return db.read("reading profiles of " + chunk.size() + " models", c -> {
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                int i = 1;
                s.setInt(i++, CHECKPOINT_ID);
                s.setString(i++, segment);
                for (ProfileRead.ModelRanges r : chunk) {
                    for (ProfileRead.Range range : r.ranges()) {
                        s.setString(i++, r.model());
                        s.setLong(i++, range.resolutionMs());
                        s.setLong(i++, range.fromMs());
                        s.setLong(i++, range.toMs());
                    }
                }
                Map<String, List<StoredProfile>> byModel = new java.util.HashMap<>();
                long checkpoint = ProfileRead.UNKNOWN;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String model = rs.getString(1);
                        ProfileKey key = new ProfileKey(model, rs.getString(3), segment, rs.getLong(2), rs.getLong(4));
                        byModel.computeIfAbsent(model, m -> new ArrayList<>())
                                .add(new StoredProfile(key, WindowProfile.fromBytes(rs.getBytes(5), settings)));
                        checkpoint = rs.getLong(6);
                    }
                }
                Map<String, ProfileRead> out = new java.util.HashMap<>();
                for (Map.Entry<String, List<StoredProfile>> e : byModel.entrySet()) {
                    out.put(e.getKey(), new ProfileRead(e.getValue(), checkpoint));
                }
                return out;
            }
        });
    }

    long expire(Map<Long, Long> profileCutoffByResolutionMs) {
        Map<Long, Long> cutoffs = Map.copyOf(profileCutoffByResolutionMs);
        return db.inTransaction("expiry", c -> {
            long deleted = 0;
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM window_profiles WHERE resolution_ms = ? AND window_start_ms < ?")) {
                for (Map.Entry<Long, Long> cutoff : cutoffs.entrySet()) {
                    s.setLong(1, cutoff.getKey());
                    s.setLong(2, cutoff.getValue());
                    deleted += s.executeUpdate();
                }
            }
            return deleted;
        });
    }

    private static void bindKey(PreparedStatement s, int first, ProfileKey key) throws SQLException {
        s.setString(first, key.model());
        s.setString(first + 1, key.version());
        s.setString(first + 2, key.segment());
        s.setLong(first + 3, key.resolutionMs());
        s.setLong(first + 4, key.windowStartMs());
    }
}
