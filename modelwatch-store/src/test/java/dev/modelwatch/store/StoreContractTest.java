package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.opentest4j.TestAbortedException;

/**
 * The behaviour every {@link Store} has, whichever database is under it. A subclass provides an
 * empty database; the store is opened once per class and its tables are emptied before each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreContractTest {
    static final SketchSettings SETTINGS = SketchSettings.DEFAULT;
    static final long MINUTE = 60_000;
    static final long HOUR = 3_600_000;
    static final long DAY = 86_400_000;
    /** 2023-11-14T22:00:00Z: aligned to the hour (so to the minute), not to the day. */
    static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % HOUR;
    private static final List<String> TABLES = List.of("window_profiles", "models",
            "model_versions", "metric_events", "checkpoint", "model_references", "alerting_state", "notification_outbox", "alert_history",
            "api_tokens", "model_admissions", "training_runs");

    protected String url;
    protected Store store;
    private String unavailable;

    /** Creates an empty database, skipping or failing the class when its server is absent, and returns its URL. */
    protected abstract String createDatabase() throws Exception;

    /** Drops what {@link #createDatabase()} created; called even when it was skipped. */
    protected abstract void dropDatabase() throws Exception;

    protected abstract String expectedKind();

    @BeforeAll
    void openStore() throws Exception {
        try {
            url = createDatabase();
        } catch (TestAbortedException serverAbsent) {
            // Aborting here would drop the class's tests from the report without a trace; each
            // test aborts instead, so every one is reported as skipped, with the reason.
            unavailable = serverAbsent.getMessage();
            return;
        }
        store = Stores.open(url, SETTINGS);
    }

    @AfterAll
    void closeStore() throws Exception {
        if (store != null) {
            store.close();
        }
        dropDatabase();
    }

    @BeforeEach
    void emptyTables() throws SQLException {
        Assumptions.assumeTrue(unavailable == null, () -> unavailable);
        try (Connection c = ((JdbcStore) store).dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                s.executeUpdate("DELETE FROM " + table);
            }
        }
    }

    @Test
    void checkpointIsZeroBeforeTheFirstCommitAndFollowsEachCommit() {
        assertThat(store.checkpointLsn()).isZero();
        store.commit(Flush.checkpointOnly(5));
        assertThat(store.checkpointLsn()).isEqualTo(5);
        store.commit(Flush.checkpointOnly(7));
        assertThat(store.checkpointLsn()).isEqualTo(7);
    }

    @Test
    void committedProfilesAreReadBackAtEachResolution() {
        ProfileKey minute = key("fraud", "v1", ProfileKey.ALL, MINUTE, T0);
        ProfileKey nextMinute = key("fraud", "v1", ProfileKey.ALL, MINUTE, T0 + MINUTE);
        ProfileKey hour = minute.atResolution(HOUR);
        ProfileKey day = minute.atResolution(DAY);
        ProfileKey euMinute = key("fraud", "v1", "region:eu", MINUTE, T0);
        store.commit(FlushBuilder.at(1)
                .delta(minute, profileOf(0, 100, T0))
                .delta(nextMinute, profileOf(0, 50, T0 + MINUTE))
                .delta(hour, profileOf(0, 150, T0))
                .delta(day, profileOf(0, 150, T0))
                .delta(euMinute, profileOf(0, 7, T0))
                .build());

        List<StoredProfile> minutes = store.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + 2 * MINUTE);
        assertThat(minutes).extracting(StoredProfile::key).containsExactly(minute, nextMinute);
        assertThat(minutes).extracting(p -> p.profile().count()).containsExactly(100L, 50L);
        assertThat(store.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + MINUTE))
                .extracting(StoredProfile::key).containsExactly(minute);
        assertThat(store.profiles("fraud", "v1", ProfileKey.ALL, HOUR, hour.windowStartMs(), hour.windowEndMs()))
                .singleElement().satisfies(p -> {
                    assertThat(p.key()).isEqualTo(hour);
                    assertThat(p.profile().count()).isEqualTo(150);
                });
        assertThat(store.profiles("fraud", "v1", ProfileKey.ALL, DAY, day.windowStartMs(), day.windowEndMs()))
                .extracting(StoredProfile::key).containsExactly(day);
        assertThat(store.profiles("fraud", "v1", "region:eu", MINUTE, T0, T0 + DAY))
                .extracting(p -> p.profile().count()).containsExactly(7L);
        assertThat(store.profiles("other", null, ProfileKey.ALL, MINUTE, T0, T0 + DAY)).isEmpty();
    }

    @Test
    void rangesOfSeveralResolutionsAreReadInOneSnapshotWithTheCheckpointTheyInclude() {
        ProfileKey minute = key("fraud", "v1", ProfileKey.ALL, MINUTE, T0);
        ProfileKey hour = key("fraud", "v1", ProfileKey.ALL, HOUR, T0 + 2 * HOUR);
        ProfileKey v2Minute = key("fraud", "v2", ProfileKey.ALL, MINUTE, T0 + MINUTE);
        ProfileKey outside = key("fraud", "v1", ProfileKey.ALL, MINUTE, T0 + 3 * HOUR);
        List<ProfileRead.Range> ranges = List.of(new ProfileRead.Range(MINUTE, T0, T0 + 2 * MINUTE),
                new ProfileRead.Range(HOUR, T0 + HOUR, T0 + 3 * HOUR));

        ProfileRead empty = store.profiles("fraud", null, ProfileKey.ALL, ranges);
        assertThat(empty.profiles()).isEmpty();
        assertThat(empty.includesCommitAt(1)).isFalse();

        store.commit(FlushBuilder.at(40).delta(minute, profileOf(0, 10, T0)).delta(hour, profileOf(0, 20, T0 + 2 * HOUR))
                .delta(v2Minute, profileOf(0, 30, T0 + MINUTE)).delta(outside, profileOf(0, 40, T0 + 3 * HOUR)).build());
        ProfileRead all = store.profiles("fraud", null, ProfileKey.ALL, ranges);
        assertThat(all.profiles()).extracting(StoredProfile::key).containsExactly(minute, v2Minute, hour);
        assertThat(all.profiles()).extracting(p -> p.profile().count()).containsExactly(10L, 30L, 20L);
        assertThat(all.checkpointLsn()).isEqualTo(40);
        assertThat(all.includesCommitAt(40)).isTrue();
        assertThat(all.includesCommitAt(41)).isFalse();

        store.commit(FlushBuilder.at(90).delta(minute, profileOf(0, 5, T0)).build());
        ProfileRead v1 = store.profiles("fraud", "v1", ProfileKey.ALL, ranges);
        assertThat(v1.profiles()).extracting(p -> p.profile().count()).containsExactly(15L, 20L);
        assertThat(v1.checkpointLsn()).isEqualTo(90);
        assertThat(store.profiles("fraud", null, ProfileKey.ALL, List.of()).profiles()).isEmpty();
    }

    @Test
    void severalModelsAreReadTogetherEachOverItsOwnRangesWithTheCheckpointTheyInclude() {
        // three hundred models: more ranges than one statement reads, so the read takes several
        int models = ProfileRepository.MAX_RANGES_PER_STATEMENT + 60;
        FlushBuilder flush = FlushBuilder.at(40);
        List<ProfileRead.ModelRanges> requests = new ArrayList<>();
        for (int m = 0; m < models; m++) {
            String model = String.format("m%03d", m);
            // model m: m+1 events in each of its minutes T0 + m and T0 + m + 1, v2 in the second; a row
            // outside its range (the minute before), an hourly roll-up and another segment's row, none of them read
            flush.delta(key(model, "v1", ProfileKey.ALL, MINUTE, T0 + m * MINUTE), profileOf(0, m + 1, T0 + m * MINUTE));
            flush.delta(key(model, "v2", ProfileKey.ALL, MINUTE, T0 + (m + 1) * MINUTE), profileOf(0, m + 1, T0));
            flush.delta(key(model, "v1", ProfileKey.ALL, MINUTE, T0 + (m - 1) * MINUTE), profileOf(0, 1_000, T0));
            flush.delta(key(model, "v1", ProfileKey.ALL, HOUR, T0), profileOf(0, 2_000, T0));
            flush.delta(key(model, "v1", "region:eu", MINUTE, T0 + m * MINUTE), profileOf(0, 3_000, T0));
            requests.add(new ProfileRead.ModelRanges(model,
                    List.of(new ProfileRead.Range(MINUTE, T0 + m * MINUTE, T0 + (m + 2) * MINUTE))));
        }
        requests.add(new ProfileRead.ModelRanges("unknown", List.of(new ProfileRead.Range(MINUTE, T0, T0 + DAY))));
        requests.add(new ProfileRead.ModelRanges("no-ranges", List.of()));
        store.commit(flush.build());

        List<ProfileRead> reads = store.profiles(ProfileKey.ALL, requests);
        assertThat(reads).hasSize(models + 2);
        for (int m = 0; m < models; m++) {
            String model = String.format("m%03d", m);
            ProfileRead read = reads.get(m);
            assertThat(read.profiles()).as(model).extracting(StoredProfile::key).containsExactly(
                    key(model, "v1", ProfileKey.ALL, MINUTE, T0 + m * MINUTE),
                    key(model, "v2", ProfileKey.ALL, MINUTE, T0 + (m + 1) * MINUTE));
            assertThat(read.profiles()).as(model).extracting(p -> p.profile().count())
                    .containsExactly((long) m + 1, (long) m + 1);
            assertThat(read.checkpointLsn()).as(model).isEqualTo(40);
        }
        assertThat(reads.get(models).profiles()).isEmpty();
        assertThat(reads.get(models).includesCommitAt(1)).isFalse();
        assertThat(reads.get(models + 1).profiles()).isEmpty();

        // the answer of each model is its single-model read's
        store.commit(FlushBuilder.at(90).delta(key("m007", "v1", ProfileKey.ALL, MINUTE, T0 + 7 * MINUTE),
                profileOf(0, 5, T0)).build());
        ProfileRead again = store.profiles(ProfileKey.ALL, List.of(requests.get(7), requests.get(3))).get(0);
        ProfileRead single = store.profiles("m007", null, ProfileKey.ALL, requests.get(7).ranges());
        assertThat(again.profiles()).extracting(StoredProfile::key)
                .containsExactlyElementsOf(single.profiles().stream().map(StoredProfile::key).toList());
        assertThat(again.profiles()).extracting(p -> p.profile().count()).containsExactly(13L, 8L);
        assertThat(again.checkpointLsn()).isEqualTo(single.checkpointLsn()).isEqualTo(90);
        assertThat(store.profiles("region:eu", List.of(requests.get(2))).get(0).profiles())
                .extracting(p -> p.profile().count()).containsExactly(3_000L);
        assertThat(store.profiles(ProfileKey.ALL, List.of())).isEmpty();
        assertThatThrownBy(() -> store.profiles(ProfileKey.ALL, List.of(requests.get(1), requests.get(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m001 is asked for twice");
    }

    @Test
    void mergedDeltaIsAddedToStoredProfile() {
        ProfileKey key = key("fraud", "v1", ProfileKey.ALL, MINUTE, T0);
        WindowProfile first = profileOf(0, 1_000, T0);
        WindowProfile second = profileOf(1_000, 2_000, T0 + 1);
        store.commit(FlushBuilder.at(1).delta(key, first).build());
        store.commit(FlushBuilder.at(2).delta(key, second).build());

        WindowProfile stored = store.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + MINUTE).get(0).profile();
        assertThat(stored.count()).isEqualTo(2_000);
        assertThat(stored.minTimestampMs()).isEqualTo(T0);
        FeatureProfile x = stored.features().get("x");
        assertThat(x.numericCount()).isEqualTo(2_000);
        assertThat(x.min()).isEqualTo(0.0);
        assertThat(x.max()).isEqualTo(1_999.0);
        assertThat(x.mean()).isCloseTo(999.5, within(1e-9));
        // Quantiles of the union 0..1999, not of either half. KLL with k = 200 has a normalized rank
        // error of about 1.33% at 99% confidence (DataSketches); 2% of 2,000 values is 40.
        assertThat(x.quantile(0.25)).isCloseTo(500, within(40.0));
        assertThat(x.quantile(0.5)).isCloseTo(1_000, within(40.0));
        assertThat(x.quantile(0.75)).isCloseTo(1_500, within(40.0));
        assertThat(first.count()).as("the caller's delta is not modified").isEqualTo(1_000);
    }

    @Test
    void everyDeltaOfALargeFlushMergesIntoItsOwnRow() {
        FlushBuilder first = FlushBuilder.at(1);
        FlushBuilder second = FlushBuilder.at(2);
        for (int w = 0; w < 300; w++) {
            ProfileKey key = key("fraud", "v" + w % 3, "slot:" + w % 7, MINUTE, T0 + w * MINUTE);
            first.delta(key, profileOf(0, 1 + w % 5, T0));
            second.delta(key, profileOf(0, 1 + w % 5, T0));
        }
        store.commit(first.build());
        store.commit(second.build());

        List<StoredProfile> stored = new ArrayList<>();
        for (int slot = 0; slot < 7; slot++) {
            stored.addAll(store.profiles("fraud", null, "slot:" + slot, MINUTE, T0, T0 + 300 * MINUTE));
        }
        assertThat(stored).hasSize(300).allSatisfy(p -> {
            int w = (int) ((p.key().windowStartMs() - T0) / MINUTE);
            assertThat(p.profile().count()).isEqualTo(2L * (1 + w % 5));
        });
    }

    @Test
    void failedCommitLeavesNoTraceAndKeepsTheCheckpoint() {
        ProfileKey key = key("fraud", "v1", ProfileKey.ALL, MINUTE, T0);
        store.commit(FlushBuilder.at(10).delta(key, profileOf(0, 100, T0)).build());
        ProfileKey tooLong = key("m".repeat(129), "v1", ProfileKey.ALL, MINUTE, T0);
        Flush failing = everythingOnce(20)
                .delta(key, profileOf(100, 200, T0))
                .delta(tooLong, profileOf(0, 1, T0))
                .build();

        assertThatThrownBy(() -> store.commit(failing))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("log position 20");

        assertNothingOfEverythingOnce();
        assertThat(store.checkpointLsn()).isEqualTo(10);
        assertThat(store.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + MINUTE))
                .extracting(p -> p.profile().count()).containsExactly(100L);

        store.commit(FlushBuilder.at(20).delta(key, profileOf(100, 200, T0)).build());
        assertThat(store.checkpointLsn()).as("a retry after the failure commits").isEqualTo(20);
        assertThat(store.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + MINUTE))
                .extracting(p -> p.profile().count()).containsExactly(200L);
    }

    @Test
    void failureInTheLastStatementRollsBackEverythingBeforeIt() {
        store.commit(Flush.checkpointOnly(10));
        Flush failing = everythingOnce(20)
                .delta(key("fraud", "v1", ProfileKey.ALL, MINUTE, T0), profileOf(0, 10, T0))
                .metric(new MetricEvent("n".repeat(257), 1.0, null, Map.of(), T0))
                .build();

        assertThatThrownBy(() -> store.commit(failing)).isInstanceOf(StoreException.class);

        assertNothingOfEverythingOnce();
        assertThat(store.profiles("fraud", null, ProfileKey.ALL, MINUTE, T0, T0 + MINUTE)).isEmpty();
        assertThat(store.checkpointLsn()).isEqualTo(10);
    }

    @Test
    void expireDeletesExactlyWhatIsPastItsCutoff() {
        long minuteCutoff = T0 + 30 * MINUTE;
        long hourCutoff = T0 + 2 * HOUR;
        ProfileKey oldMinute = key("fraud", "v1", ProfileKey.ALL, MINUTE, minuteCutoff - MINUTE);
        ProfileKey keptMinute = key("fraud", "v1", ProfileKey.ALL, MINUTE, minuteCutoff);
        ProfileKey oldHour = key("fraud", "v1", ProfileKey.ALL, HOUR, hourCutoff - HOUR);
        ProfileKey keptHour = key("fraud", "v1", ProfileKey.ALL, HOUR, hourCutoff);
        ProfileKey day = key("fraud", "v1", ProfileKey.ALL, DAY, Math.floorDiv(T0, DAY) * DAY);
        store.commit(FlushBuilder.at(1)
                .delta(oldMinute, profileOf(0, 1, T0)).delta(keptMinute, profileOf(0, 1, T0))
                .delta(oldHour, profileOf(0, 1, T0)).delta(keptHour, profileOf(0, 1, T0))
                .delta(day, profileOf(0, 1, T0))
                .build());

        long deleted = store.expire(Map.of(MINUTE, minuteCutoff, HOUR, hourCutoff));

        assertThat(deleted).isEqualTo(2);
        assertThat(store.profiles("fraud", null, ProfileKey.ALL, MINUTE, 0, Long.MAX_VALUE))
                .extracting(StoredProfile::key).containsExactly(keptMinute);
        assertThat(store.profiles("fraud", null, ProfileKey.ALL, HOUR, 0, Long.MAX_VALUE))
                .extracting(StoredProfile::key).containsExactly(keptHour);
        assertThat(store.profiles("fraud", null, ProfileKey.ALL, DAY, 0, Long.MAX_VALUE))
                .as("a resolution without a cut-off is kept").extracting(StoredProfile::key).containsExactly(day);
        assertThat(store.expire(Map.of(MINUTE, minuteCutoff, HOUR, hourCutoff))).isZero();
    }

    @Test
    void referenceOfAVersionFallsBackToTheModelsAnyVersionReferenceAndIsReplacedAtomically() {
        byte[] big = new byte[3 << 20];
        new java.util.Random(5).nextBytes(big);
        store.putReference(new StoredReference("fraud", StoredReference.ANY_VERSION, "upload", 10, 1_000, new byte[] {1, 2}));
        store.putReference(new StoredReference("fraud", "v2", "upload", 3_000_000, 2_000, big));

        assertThat(store.findReference("fraud", "v2").orElseThrow().data()).isEqualTo(big);
        assertThat(store.findReference("fraud", "v1").orElseThrow().data()).containsExactly(1, 2);
        assertThat(store.findReference("fraud", null).orElseThrow().version()).isEmpty();
        assertThat(store.findReference("other", "v1")).isEmpty();

        store.putReference(new StoredReference("fraud", "v2", "upload", 7, 3_000, new byte[] {9}));
        StoredReference replaced = store.findReference("fraud", "v2").orElseThrow();
        assertThat(replaced.data()).containsExactly(9);
        assertThat(replaced.rows()).isEqualTo(7);
        assertThat(replaced.createdAtMs()).isEqualTo(3_000);
        assertThat(store.references("fraud")).extracting(StoredReference::version).containsExactly("", "v2");

        assertThat(store.deleteReference("fraud", "v2")).isTrue();
        assertThat(store.deleteReference("fraud", "v2")).isFalse();
        assertThat(store.findReference("fraud", "v2").orElseThrow().version()).isEmpty();
    }

    @Test
    void alertingStateAndItsNotificationsAreSavedTogetherAndDeliveriesRecorded() {
        assertThat(store.alertingState("rules")).isEmpty();
        List<OutboxEntry> queued = store.saveAlerting(Map.of("rules", new byte[] {1, 2, 3}, "groups", new byte[] {4}),
                List.of(OutboxEntry.pending("ops", "{}:{alertname=\"A\"}", "a1,a2", new byte[] {7}, 1_000),
                        OutboxEntry.pending("oncall", "{}:{alertname=\"B\"}", "b1", new byte[] {8}, 1_000)),
                List.of(new AlertHistoryEntry("a1", "Drop", "{\"alertname\":\"Drop\"}", "inactive", "pending", 0.7, 900),
                        new AlertHistoryEntry("a1", "Drop", "{\"alertname\":\"Drop\"}", "pending", "firing", Double.NaN, 1_000),
                        new AlertHistoryEntry("b1", "Other", "{}", "inactive", "firing", 1, 950)), 1_000);
        assertThat(queued).extracting(OutboxEntry::id).doesNotContain(0L).doesNotHaveDuplicates();
        assertThat(store.alertingState("rules").orElseThrow()).containsExactly(1, 2, 3);

        store.saveAlerting(Map.of("rules", new byte[] {9}), List.of(), List.of(), 2_000);
        assertThat(store.alertHistory("a1", 0, 10)).extracting(AlertHistoryEntry::toState).containsExactly("firing", "pending");
        assertThat(store.alertHistory("a1", 0, 10).get(0).value()).isNaN();
        assertThat(store.alertHistory(null, 950, 10)).extracting(AlertHistoryEntry::alertId).containsExactly("a1", "b1");
        assertThat(store.expireAlertHistory(950)).isEqualTo(1);
        assertThat(store.alertHistory(null, 0, 10)).hasSize(2);
        assertThat(store.alertingState("rules").orElseThrow()).containsExactly(9);
        assertThat(store.alertingState("groups").orElseThrow()).containsExactly(4);

        assertThat(store.dueNotifications(1_000, 10)).extracting(OutboxEntry::receiver).containsExactly("ops", "oncall");
        OutboxEntry ops = queued.get(0);
        store.updateNotification(new OutboxEntry(ops.id(), ops.receiver(), ops.groupKey(), ops.alertIds(), ops.payload(),
                ops.createdAtMs(), 5_000, 1, OutboxEntry.PENDING, "HTTP 503", null));
        OutboxEntry oncall = queued.get(1);
        store.updateNotification(new OutboxEntry(oncall.id(), oncall.receiver(), oncall.groupKey(), oncall.alertIds(),
                oncall.payload(), oncall.createdAtMs(), oncall.dueAtMs(), 1, OutboxEntry.DELIVERED, null, 1_100L));
        assertThat(store.dueNotifications(4_999, 10)).isEmpty();
        OutboxEntry retried = store.dueNotifications(5_000, 10).get(0);
        assertThat(retried.attempts()).isEqualTo(1);
        assertThat(retried.lastError()).isEqualTo("HTTP 503");
        assertThat(retried.payload()).containsExactly(7);
        assertThat(store.recentNotifications(10)).extracting(OutboxEntry::status)
                .containsExactly(OutboxEntry.DELIVERED, OutboxEntry.PENDING);
        assertThat(store.recentNotifications(10).get(0).deliveredAtMs()).isEqualTo(1_100L);

        assertThat(store.expireNotifications(2_000)).isEqualTo(1); // the delivered one; pending ones stay
        assertThat(store.recentNotifications(10)).hasSize(1);
    }

    @Test
    void modelsRoundTripWithTheirVersions() {
        ModelRecord fraud = new ModelRecord(new ModelSpec("fraud", ModelTask.BINARY_CLASSIFICATION, "yes", MINUTE, true),
                T0, T0 + 5_000, 42, Set.of("v1", "v2"));
        ModelRecord fresh = new ModelRecord(new ModelSpec("fresh", ModelTask.REGRESSION, null, 5 * MINUTE, false),
                Long.MAX_VALUE, Long.MIN_VALUE, 0, Set.of());
        store.commit(FlushBuilder.at(1).model(fraud).model(fresh).build());
        assertThat(store.models()).containsExactly(fraud, fresh);

        ModelRecord grown = new ModelRecord(new ModelSpec("fraud", ModelTask.BINARY_CLASSIFICATION, "yes", MINUTE, true),
                T0, T0 + 9_000, 50, Set.of("v3"));
        store.commit(FlushBuilder.at(2).model(grown).build());

        ModelRecord stored = store.models().get(0);
        assertThat(stored.predictionCount()).isEqualTo(50);
        assertThat(stored.lastEventMs()).isEqualTo(T0 + 9_000);
        assertThat(stored.versions()).as("a version once seen stays").containsExactlyInAnyOrder("v1", "v2", "v3");
    }

    @Test
    void admittedValuesAreCommittedInOrderAndReplacedWholeByALaterCommit() {
        String longClass = "é".repeat(2_000); // 4,000 bytes in UTF-8
        AdmittedValues first = new AdmittedValues("fraud", new java.util.LinkedHashSet<>(List.of("zeta", "alpha")),
                Map.of("region", new java.util.LinkedHashSet<>(List.of("eu", "us"))),
                new java.util.LinkedHashSet<>(List.of("1", longClass)));
        store.commit(FlushBuilder.at(1).admitted(first)
                .admitted(new AdmittedValues("other", Set.of(), Map.of(), Set.of())).build());
        assertThat(store.admittedValues()).containsOnlyKeys("fraud", "other");
        AdmittedValues read = store.admittedValues().get("fraud");
        assertThat(read).isEqualTo(first);
        assertThat(read.features()).containsExactly("zeta", "alpha");
        assertThat(read.classes()).containsExactly("1", longClass);

        AdmittedValues grown = new AdmittedValues("fraud", new java.util.LinkedHashSet<>(List.of("zeta", "alpha", "beta")),
                Map.of("region", new java.util.LinkedHashSet<>(List.of("eu", "us", "asia"))), Set.of("1"));
        store.commit(FlushBuilder.at(2).admitted(grown).build());
        assertThat(store.admittedValues().get("fraud")).isEqualTo(grown);
        assertThat(store.checkpointLsn()).isEqualTo(2);
    }

    @Test
    void aCommitOfMoreEncodedProfilesThanOneChunkWritesEveryRow() {
        // 100 windows of 3,000 predictions of 10 features: about 94 KB encoded each, the flush past 8 MiB
        FlushBuilder flush = FlushBuilder.at(1);
        long encoded = 0;
        for (int w = 0; w < 100; w++) {
            WindowProfile p = new WindowProfile(SETTINGS);
            for (int v = 0; v < 3_000; v++) {
                Map<String, Object> features = new java.util.LinkedHashMap<>();
                for (int f = 0; f < 10; f++) {
                    features.put("x" + f, (double) (v * 31 + f * 7 + w));
                }
                p.addPrediction(new PredictionEvent("wide", null, "v1", T0 + w * MINUTE, features, "1", 0.9, null,
                        1.0, null, Map.of()));
            }
            flush.delta(key("wide", "v1", ProfileKey.ALL, MINUTE, T0 + w * MINUTE), p);
            encoded += p.toBytes().length;
        }
        assertThat(encoded).isGreaterThan(8L << 20);
        store.commit(flush.build());
        assertThat(store.profiles("wide", "v1", ProfileKey.ALL, MINUTE, T0, T0 + DAY))
                .hasSize(100).allSatisfy(p -> assertThat(p.profile().count()).isEqualTo(3_000));
    }

    @Test
    void metricEventsRoundTripIncludingNaN() {
        MetricEvent nan = new MetricEvent("gpu_util", Double.NaN, "net", Map.of("gpu", "0", "host", "a"), 1_000);
        MetricEvent plain = new MetricEvent("gpu_util", 0.75, null, Map.of(), 2_000);
        MetricEvent atEnd = new MetricEvent("gpu_util", Double.NEGATIVE_INFINITY, null, Map.of(), 3_000);
        MetricEvent otherName = new MetricEvent("mem_used", 1.0, null, Map.of(), 1_500);
        store.commit(FlushBuilder.at(1).metric(atEnd).metric(nan).metric(plain).metric(otherName).build());

        assertThat(store.metricEvents("gpu_util", 1_000, 3_000)).containsExactly(nan, plain);
        assertThat(store.metricEvents("gpu_util", 1_000, 3_001).get(2).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(store.metricEvents("gpu_util", 1_000, 3_000).get(0).value()).isNaN();

        // every name in a range, by time; of one model; at most so many
        List<MetricEvent> scanned = new ArrayList<>();
        assertThat(store.scanMetricEvents(null, 1_000, 3_000, 100, scanned::add)).isEqualTo(3);
        assertThat(scanned).containsExactly(nan, otherName, plain);
        scanned.clear();
        assertThat(store.scanMetricEvents("net", 0, Long.MAX_VALUE, 100, scanned::add)).isEqualTo(1);
        assertThat(scanned).containsExactly(nan);
        scanned.clear();
        assertThat(store.scanMetricEvents(null, 0, Long.MAX_VALUE, 2, scanned::add)).isEqualTo(2);
        assertThat(scanned).containsExactly(nan, otherName);
    }

    @Test
    void versionFilterSelectsOneVersionAndNullSelectsEvery() {
        FlushBuilder flush = FlushBuilder.at(1);
        for (String version : List.of("v2", "v1")) {
            for (int w = 0; w < 2; w++) {
                flush.delta(key("fraud", version, ProfileKey.ALL, MINUTE, T0 + w * MINUTE), profileOf(0, 1, T0));
            }
        }
        store.commit(flush.build());

        assertThat(store.profiles("fraud", null, ProfileKey.ALL, MINUTE, T0, T0 + 2 * MINUTE))
                .extracting(p -> p.key().windowStartMs() + "/" + p.key().version())
                .containsExactly(T0 + "/v1", T0 + "/v2", (T0 + MINUTE) + "/v1", (T0 + MINUTE) + "/v2");
        assertThat(store.profiles("fraud", "v2", ProfileKey.ALL, MINUTE, T0, T0 + 2 * MINUTE))
                .extracting(p -> p.key().windowStartMs() + "/" + p.key().version())
                .containsExactly(T0 + "/v2", (T0 + MINUTE) + "/v2");
        assertThat(store.profiles("fraud", "v3", ProfileKey.ALL, MINUTE, T0, T0 + 2 * MINUTE)).isEmpty();
    }

    @Test
    void keysDifferingOnlyInCaseOrTrailingSpaceStayApart() {
        store.commit(FlushBuilder.at(1)
                .delta(key("fraud", "v1", "region:eu", MINUTE, T0), profileOf(0, 1, T0))
                .delta(key("fraud", "V1", "region:eu", MINUTE, T0), profileOf(0, 2, T0))
                .delta(key("fraud", "v1 ", "region:eu", MINUTE, T0), profileOf(0, 3, T0))
                .delta(key("fraud", "v1", "region:EU", MINUTE, T0), profileOf(0, 4, T0))
                .build());

        assertThat(store.profiles("fraud", null, "region:eu", MINUTE, T0, T0 + MINUTE))
                .extracting(p -> p.key().version() + "=" + p.profile().count())
                .containsExactlyInAnyOrder("v1=1", "V1=2", "v1 =3");
        assertThat(store.profiles("fraud", "v1", "region:EU", MINUTE, T0, T0 + MINUTE))
                .extracting(p -> p.profile().count()).containsExactly(4L);
    }

    @Test
    void tokensRoundTripWithTheirScopesAndOnlyTheirHash() {
        StoredToken ci = token("ci0123456789", "ci ingest", List.of("ingest"), T0);
        StoredToken ops = token("ops012345678", "ops", List.of("admin", "read"), T0 + 1);
        store.tokens().create(ops);
        store.tokens().create(ci);

        assertThat(store.tokens().all()).containsExactly(ci, ops);
        assertThat(store.tokens().all().get(1).scopes()).containsExactly("admin", "read");
        assertThat(store.tokens().all().get(0).lastUsedAtMs()).isNull();
        assertThat(store.tokens().all().get(0).revoked()).isFalse();
    }

    @Test
    void aTokenIdIsNeverReused() {
        store.tokens().create(token("dup012345678", "first", List.of("read"), T0));
        assertThatThrownBy(() -> store.tokens().create(token("dup012345678", "second", List.of("admin"), T0 + 1)))
                .isInstanceOf(StoreException.class).hasMessageContaining("dup012345678");
        assertThat(store.tokens().all()).extracting(StoredToken::name).containsExactly("first");
    }

    @Test
    void revokingKeepsTheTokenListedWithItsFirstRevocationTime() {
        StoredToken t = token("rev012345678", "to revoke", List.of("read"), T0);
        store.tokens().create(t);
        assertThat(store.tokens().revoke(t.id(), T0 + 10)).isTrue();
        assertThat(store.tokens().revoke(t.id(), T0 + 20)).as("already revoked: still exists").isTrue();
        assertThat(store.tokens().revoke("absent", T0 + 20)).isFalse();
        assertThat(store.tokens().all()).singleElement().satisfies(r -> {
            assertThat(r.revoked()).isTrue();
            assertThat(r.revokedAtMs()).isEqualTo(T0 + 10);
        });
    }

    @Test
    void lastUseOnlyMovesForward() {
        StoredToken a = token("use012345678", "a", List.of("ingest"), T0);
        StoredToken b = token("use112345678", "b", List.of("ingest"), T0);
        store.tokens().create(a);
        store.tokens().create(b);
        store.tokens().recordUse(Map.of(a.id(), T0 + 100, b.id(), T0 + 50));
        store.tokens().recordUse(Map.of(a.id(), T0 + 60, "absent", T0 + 70));
        assertThat(store.tokens().all()).extracting(StoredToken::lastUsedAtMs).containsExactly(T0 + 100, T0 + 50);
    }

    private static StoredToken token(String id, String name, List<String> scopes, long createdAtMs) {
        String hash = String.format("%064x", new java.math.BigInteger(1, id.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return new StoredToken(id, name, scopes, hash, createdAtMs, null, null);
    }

    @Test
    void storeIsReachableAndNamesItsKind() {
        assertThat(store.isReachable()).isTrue();
        assertThat(store.kind()).isEqualTo(expectedKind());
    }

    @Test
    void reopenedStoreSeesTheDataAndAClosedStoreIsNotReachable() {
        ProfileKey key = key("fraud", "v1", ProfileKey.ALL, MINUTE, T0);
        store.commit(FlushBuilder.at(3).delta(key, profileOf(0, 10, T0)).build());

        Store again = Stores.open(url, SETTINGS);
        try {
            assertThat(again.checkpointLsn()).isEqualTo(3);
            assertThat(again.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + MINUTE)).hasSize(1);
        } finally {
            again.close();
        }
        assertThat(again.isReachable()).isFalse();
        assertThatThrownBy(again::checkpointLsn).isInstanceOf(StoreException.class);
    }

    // ---- fixtures ----

    static ProfileKey key(String model, String version, String segment, long resolution, long windowStart) {
        return new ProfileKey(model, version, segment, resolution, windowStart);
    }

    /** A profile of predictions whose feature {@code x} takes each integer in {@code [from, to)}. */
    static WindowProfile profileOf(int from, int to, long timestampMs) {
        WindowProfile p = new WindowProfile(SETTINGS);
        for (int v = from; v < to; v++) {
            p.addPrediction(new PredictionEvent("fraud", "e" + v, "v1", timestampMs, Map.of("x", (double) v), "1", 0.9,
                    null, 12.0, null, Map.of()));
        }
        return p;
    }

    /** A flush holding one thing of every kind, all of which must vanish when it fails. */
    private static FlushBuilder everythingOnce(long lsn) {
        return FlushBuilder.at(lsn)
                .model(new ModelRecord(new ModelSpec("fraud", ModelTask.BINARY_CLASSIFICATION, "1", MINUTE, true),
                        T0, T0, 1, Set.of("v1")))
                .metric(new MetricEvent("gpu_util", 0.5, null, Map.of(), T0));
    }

    private void assertNothingOfEverythingOnce() {
        assertThat(store.models()).isEmpty();
        assertThat(store.metricEvents("gpu_util", 0, Long.MAX_VALUE)).isEmpty();
    }

    /** Builds a {@link Flush} one part at a time. */
    static final class FlushBuilder {
        private final long lsn;
        private final Map<ProfileKey, WindowProfile> deltas = new LinkedHashMap<>();
        private final List<ModelRecord> models = new ArrayList<>();
        private final List<MetricEvent> metrics = new ArrayList<>();
        private final List<AdmittedValues> admitted = new ArrayList<>();

        private FlushBuilder(long lsn) {
            this.lsn = lsn;
        }

        static FlushBuilder at(long lsn) {
            return new FlushBuilder(lsn);
        }

        FlushBuilder delta(ProfileKey key, WindowProfile profile) {
            deltas.put(key, profile);
            return this;
        }

        FlushBuilder model(ModelRecord m) {
            models.add(m);
            return this;
        }

        FlushBuilder metric(MetricEvent m) {
            metrics.add(m);
            return this;
        }

        FlushBuilder admitted(AdmittedValues a) {
            admitted.add(a);
            return this;
        }

        Flush build() {
            return new Flush(lsn, deltas, models, metrics, List.of(), java.util.Set.of(), admitted);
        }
    }

    @Test
    void trainingEventsAreNotKeptAsRows() throws SQLException {
        // a run's curves are its stored document; its raw events (10^6 per run) left the database
        try (Connection c = ((JdbcStore) store).dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT COUNT(*) FROM training_events"))
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void trainingRunsAreReplacedWholeAndReadBackInOrder() {
        byte[] big = new byte[300_000];
        java.util.Arrays.fill(big, (byte) 'x');
        String longRun = "r".repeat(256);
        store.trainingRuns().save(List.of(new StoredRun("m2", "a", new byte[] {1}, 10, 100),
                new StoredRun("m1", longRun, big, 11, 101)));
        store.trainingRuns().save(List.of(new StoredRun("m2", "a", new byte[] {2, 3}, 20, 200)));
        List<StoredRun> all = store.trainingRuns().all();
        assertThat(all).extracting(StoredRun::model, StoredRun::run, StoredRun::logLsn, StoredRun::updatedMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("m1", longRun, 11L, 101L),
                        org.assertj.core.groups.Tuple.tuple("m2", "a", 20L, 200L));
        assertThat(all.get(0).state()).isEqualTo(big);
        assertThat(all.get(1).state()).containsExactly(2, 3);
    }

    @Test
    void incidentsAreReplacedWholeAndReadBackInOpeningOrder() {
        byte[] big = new byte[300_000];
        java.util.Arrays.fill(big, (byte) 'y');
        store.incidents().save(new StoredIncident("b", "m1", "open", 200, 200, new byte[] {1}));
        store.incidents().save(new StoredIncident("a", "m2", "open", 100, 100, big));
        store.incidents().save(new StoredIncident("b", "m1", "resolved", 200, 300, new byte[] {2, 3}));
        List<StoredIncident> all = store.incidents().all();
        assertThat(all).extracting(StoredIncident::id, StoredIncident::model, StoredIncident::state,
                StoredIncident::openedMs, StoredIncident::updatedMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "m2", "open", 100L, 100L),
                        org.assertj.core.groups.Tuple.tuple("b", "m1", "resolved", 200L, 300L));
        assertThat(all.get(0).document()).isEqualTo(big);
        assertThat(all.get(1).document()).containsExactly(2, 3);

        store.incidents().save(new StoredIncident("c", "m1", "resolved", 400, 500, new byte[] {4}));
        assertThat(store.incidents().deleteResolvedBefore(500)).as("only b: resolved, changed at 300").isEqualTo(1);
        assertThat(store.incidents().all()).extracting(StoredIncident::id).containsExactly("a", "c");
    }
}
