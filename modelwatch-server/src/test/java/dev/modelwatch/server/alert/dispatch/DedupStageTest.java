package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Alertmanager's {@code TestDedupStageNeedsUpdate} table (notify/notify_test.go), with the reasons. */
class DedupStageTest {
    static final long NOW = 1_800_000_000_000L;
    static final long MIN = 60_000L;

    static NotificationLogEntry entry(Set<Long> firing, Set<Long> resolved, long at) {
        return new NotificationLogEntry(firing, resolved, at);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("no entry: notify", null, Set.of(2L, 3L, 4L), Set.of(), 0L, false,
                        NotifyReason.FIRST_NOTIFICATION),
                Arguments.of("no entry, nothing firing: do not notify", null, Set.of(), Set.of(2L, 3L, 4L), 0L, false,
                        NotifyReason.DO_NOT_NOTIFY),
                Arguments.of("different firing alerts: notify", entry(Set.of(1L, 2L, 3L), Set.of(), 0), Set.of(2L, 3L, 4L),
                        Set.of(), 0L, false, NotifyReason.NEW_ALERTS_IN_GROUP),
                Arguments.of("zero timestamp: always notify", entry(Set.of(1L, 2L, 3L), Set.of(), 0), Set.of(1L, 2L, 3L),
                        Set.of(), 0L, false, NotifyReason.REPEAT_INTERVAL_ELAPSED),
                Arguments.of("same alerts before repeat_interval: do not notify",
                        entry(Set.of(1L, 2L, 3L), Set.of(), NOW - 9 * MIN), Set.of(1L, 2L, 3L), Set.of(), 10 * MIN, false,
                        NotifyReason.DO_NOT_NOTIFY),
                Arguments.of("same alerts after repeat_interval: notify",
                        entry(Set.of(1L, 2L, 3L), Set.of(), NOW - 11 * MIN), Set.of(1L, 2L, 3L), Set.of(), 10 * MIN, false,
                        NotifyReason.REPEAT_INTERVAL_ELAPSED),
                Arguments.of("same alerts exactly at repeat_interval: not yet (strictly older)",
                        entry(Set.of(1L, 2L, 3L), Set.of(), NOW - 10 * MIN), Set.of(1L, 2L, 3L), Set.of(), 10 * MIN, false,
                        NotifyReason.DO_NOT_NOTIFY),
                Arguments.of("resolved alerts without firing alerts, after repeat_interval: do not notify",
                        entry(Set.of(), Set.of(1L, 2L, 3L), NOW - 11 * MIN), Set.of(), Set.of(3L, 4L, 5L), 10 * MIN, true,
                        NotifyReason.DO_NOT_NOTIFY),
                Arguments.of("new resolved alerts, send_resolved off: do not notify",
                        entry(Set.of(1L, 2L), Set.of(3L), NOW - 9 * MIN), Set.of(1L), Set.of(2L, 3L), 10 * MIN, false,
                        NotifyReason.DO_NOT_NOTIFY),
                Arguments.of("new resolved alerts, send_resolved on: notify",
                        entry(Set.of(1L, 2L), Set.of(3L), NOW - 9 * MIN), Set.of(1L), Set.of(2L, 3L), 10 * MIN, true,
                        NotifyReason.NEW_RESOLVED_ALERTS),
                Arguments.of("nothing firing any more, send_resolved off: notify",
                        entry(Set.of(1L, 2L), Set.of(3L), NOW - 9 * MIN), Set.of(), Set.of(1L, 2L, 3L), 10 * MIN, false,
                        NotifyReason.ALL_ALERTS_RESOLVED),
                Arguments.of("nothing firing any more, send_resolved on: notify",
                        entry(Set.of(1L, 2L), Set.of(3L), NOW - 9 * MIN), Set.of(), Set.of(1L, 2L, 3L), 10 * MIN, true,
                        NotifyReason.ALL_ALERTS_RESOLVED),
                Arguments.of("firing again after an all-resolved notification: first notification",
                        entry(Set.of(), Set.of(1L), NOW - 1 * MIN), Set.of(1L), Set.of(), 10 * MIN, true,
                        NotifyReason.FIRST_NOTIFICATION),
                Arguments.of("fewer firing alerts, send_resolved off: a subset is not news",
                        entry(Set.of(1L, 2L), Set.of(), NOW - 1 * MIN), Set.of(1L), Set.of(), 10 * MIN, false,
                        NotifyReason.DO_NOT_NOTIFY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void needsUpdate(String name, NotificationLogEntry last, Set<Long> firing, Set<Long> resolved, long repeatMs,
            boolean sendResolved, NotifyReason expected) {
        assertThat(DedupStage.needsUpdate(last, firing, resolved, repeatMs, sendResolved, NOW)).isEqualTo(expected);
    }
}
