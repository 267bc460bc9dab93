package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The group's timers (group_wait, group_interval, repeat_interval) and what each flush notifies, on a fake clock. */
class AggregationGroupTest {
    static final long T0 = 1_800_000_000_000L;
    static final long S = 1000;
    static final long M = 60 * S;
    static final long H = 60 * M;
    static final RouteOptions OPTS = new RouteOptions("ops", List.of("model"), false, 30 * S, 5 * M, 4 * H, null);
    static final GroupKey KEY = new GroupKey("{}", SeriesLabels.of("model", "fraud"));

    static Alert alert(String name, long startsAt) {
        return Alert.firing(SeriesLabels.of("alertname", name, "model", "fraud"), Map.of("summary", name), startsAt);
    }

    /** A fake clock driving one group: ticks exactly when the group asks to be woken. */
    static final class Clock {
        long now = T0;
        AggregationGroup group = AggregationGroup.create(KEY, OPTS, T0);

        void insert(Alert a) {
            group = group.insert(a, now);
        }

        /** Advances to {@code t}, ticking at every wake-up on the way; returns the notifications. */
        List<Notification> advanceTo(long t, boolean sendResolved) {
            List<Notification> all = new java.util.ArrayList<>();
            while (group.nextWakeAtMs() <= t) {
                now = Math.max(now, group.nextWakeAtMs());
                AggregationGroup.Flush f = group.tick(now, sendResolved);
                all.addAll(f.notifications());
                group = f.group();
                if (group.isEmpty()) {
                    break;
                }
            }
            now = t;
            return all;
        }

        List<Notification> advanceTo(long t) {
            return advanceTo(t, true);
        }
    }

    @Test
    void newGroupWaitsGroupWaitThenNotifiesAllAlertsCollectedMeanwhile() {
        Clock c = new Clock();
        c.insert(alert("A", T0));
        assertThat(c.group.nextWakeAtMs()).isEqualTo(T0 + 30 * S);
        assertThat(c.advanceTo(T0 + 29 * S)).isEmpty();
        c.insert(alert("B", T0 + 29 * S));
        List<Notification> n = c.advanceTo(T0 + 30 * S);
        assertThat(n).singleElement().satisfies(x -> {
            assertThat(x.reason()).isEqualTo(NotifyReason.FIRST_NOTIFICATION);
            assertThat(x.atMs()).isEqualTo(T0 + 30 * S);
            assertThat(x.receiver()).isEqualTo("ops");
            assertThat(x.firing()).extracting(a -> a.labels().get("alertname")).containsExactlyInAnyOrder("A", "B");
        });
        assertThat(c.group.nextWakeAtMs()).isEqualTo(T0 + 30 * S + 5 * M);
    }

    @Test
    void changesAfterTheFirstFlushWaitForGroupInterval() {
        Clock c = new Clock();
        c.insert(alert("A", T0));
        c.advanceTo(T0 + 30 * S);
        c.insert(alert("B", T0 + 40 * S));
        assertThat(c.advanceTo(T0 + 30 * S + 5 * M - 1)).isEmpty();
        assertThat(c.advanceTo(T0 + 30 * S + 5 * M)).singleElement().satisfies(x -> {
            assertThat(x.reason()).isEqualTo(NotifyReason.NEW_ALERTS_IN_GROUP);
            assertThat(x.firing()).hasSize(2);
        });
    }

    @Test
    void unchangedGroupRepeatsAtTheFirstFlushStrictlyAfterRepeatInterval() {
        Clock c = new Clock();
        c.insert(alert("A", T0));
        long first = T0 + 30 * S;
        assertThat(c.advanceTo(first)).hasSize(1);
        // flushes every 5m find nothing new; at first+4h the last notification is exactly 4h old: not yet
        assertThat(c.advanceTo(first + 4 * H)).isEmpty();
        List<Notification> n = c.advanceTo(first + 4 * H + 5 * M);
        assertThat(n).singleElement().satisfies(x -> {
            assertThat(x.reason()).isEqualTo(NotifyReason.REPEAT_INTERVAL_ELAPSED);
            assertThat(x.atMs()).isEqualTo(first + 4 * H + 5 * M);
        });
    }

    @Test
    void resolvedAlertsAreNotifiedOnceThenLeaveTheGroup() {
        Clock c = new Clock();
        Alert a = alert("A", T0);
        Alert b = alert("B", T0);
        c.insert(a);
        c.insert(b);
        c.advanceTo(T0 + 30 * S);
        c.insert(a.resolve(T0 + 2 * M));
        List<Notification> n = c.advanceTo(T0 + 30 * S + 5 * M);
        assertThat(n).singleElement().satisfies(x -> {
            assertThat(x.reason()).isEqualTo(NotifyReason.NEW_RESOLVED_ALERTS);
            assertThat(x.firing()).containsExactly(b);
            assertThat(x.resolved()).containsExactly(a.resolve(T0 + 2 * M));
            assertThat(x.alerts()).hasSize(2);
        });
        assertThat(c.group.alerts()).containsOnlyKeys(b.fingerprint());
        c.insert(b.resolve(T0 + 6 * M));
        n = c.advanceTo(T0 + 30 * S + 10 * M);
        assertThat(n).singleElement().satisfies(x -> assertThat(x.reason()).isEqualTo(NotifyReason.ALL_ALERTS_RESOLVED));
        assertThat(c.group.isEmpty()).isTrue();
    }

    @Test
    void withoutSendResolvedAPartialResolutionIsSilentAndTheLastOneIsNotDeliverable() {
        Clock c = new Clock();
        Alert a = alert("A", T0);
        Alert b = alert("B", T0);
        c.insert(a);
        c.insert(b);
        c.advanceTo(T0 + 30 * S, false);
        c.insert(a.resolve(T0 + 2 * M));
        assertThat(c.advanceTo(T0 + 30 * S + 5 * M, false)).isEmpty();
        c.insert(b.resolve(T0 + 6 * M));
        List<Notification> n = c.advanceTo(T0 + 30 * S + 10 * M, false);
        assertThat(n).singleElement().satisfies(x -> {
            assertThat(x.reason()).isEqualTo(NotifyReason.ALL_ALERTS_RESOLVED);
            assertThat(x.deliverable()).isFalse();
            assertThat(x.alerts()).isEmpty();
        });
    }

    @Test
    void anAlertThatStartedLongAgoIsFlushedAtOnceInANewGroup() {
        Clock c = new Clock();
        c.now = T0 + 10 * S;
        c.insert(alert("A", T0 - 10 * M));
        assertThat(c.group.nextWakeAtMs()).isEqualTo(T0 + 10 * S);
        assertThat(c.advanceTo(T0 + 10 * S)).hasSize(1);
    }

    @Test
    void aFiringAlertThatResolvesBeforeTheFirstFlushIsNeverNotified() {
        Clock c = new Clock();
        Alert a = alert("A", T0);
        c.insert(a);
        c.now = T0 + 10 * S;
        c.insert(a.resolve(T0 + 10 * S));
        assertThat(c.advanceTo(T0 + 30 * S)).isEmpty();
        assertThat(c.group.isEmpty()).isTrue();
    }

    @Test
    void tickBeforeTheWakeUpChangesNothing() {
        AggregationGroup g = AggregationGroup.create(KEY, OPTS, T0).insert(alert("A", T0), T0);
        AggregationGroup.Flush f = g.tick(T0 + 29 * S, true);
        assertThat(f.notifications()).isEmpty();
        assertThat(f.group()).isEqualTo(g);
    }

    @Test
    void removingAMutedAlertMakesItNewAgainWhenItReturns() {
        Clock c = new Clock();
        Alert a = alert("A", T0);
        Alert b = alert("B", T0);
        c.insert(a);
        c.insert(b);
        c.advanceTo(T0 + 30 * S);
        c.group = c.group.remove(a.fingerprint());
        assertThat(c.advanceTo(T0 + 30 * S + 5 * M)).isEmpty();
        c.insert(a);
        assertThat(c.advanceTo(T0 + 30 * S + 10 * M)).singleElement()
                .satisfies(x -> assertThat(x.reason()).isEqualTo(NotifyReason.NEW_ALERTS_IN_GROUP));
    }

    @Test
    void groupStateRoundTripsThroughJsonExactly() throws Exception {
        Clock c = new Clock();
        c.insert(alert("A", T0));
        c.insert(alert("B", T0).acknowledgedBy("alice"));
        c.advanceTo(T0 + 30 * S);
        c.insert(alert("A", T0).resolve(T0 + M));
        StoredDispatcher.Group back = Json.read(Json.bytes(StoredDispatcher.Group.of(c.group)),
                StoredDispatcher.Group.class, "group");
        assertThat(back.toGroup(OPTS)).isEqualTo(c.group);
    }
}
