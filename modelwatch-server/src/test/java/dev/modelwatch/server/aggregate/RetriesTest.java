package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The aggregator's retry pauses, recorded by a sleeper that does not wait. */
class RetriesTest {
    private final List<Long> pauses = new ArrayList<>();
    private final Retries retries = new Retries(Duration.ofSeconds(5), pauses::add);

    @Test
    void aStorageStepPauses100MsDoublingUpTo5Seconds() throws InterruptedException {
        int[] tries = {0};
        retries.untilStorageAnswers(() -> {
            if (++tries[0] <= 9) {
                throw new StoreException("down");
            }
        });
        assertThat(tries[0]).isEqualTo(10);
        assertThat(pauses).containsExactly(100L, 200L, 400L, 800L, 1_600L, 3_200L, 5_000L, 5_000L, 5_000L);
    }

    @Test
    void aStepThatSucceedsAtOnceDoesNotPause() throws InterruptedException {
        retries.untilStorageAnswers(() -> { });
        assertThat(pauses).isEmpty();
    }

    @Test
    void onlyStorageFailuresAreRetried() {
        assertThatThrownBy(() -> retries.untilStorageAnswers(() -> {
            throw new IllegalStateException("a bug, not an outage");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(pauses).isEmpty();
    }

    @Test
    void eachBackoffStartsAgainFromTheFirstPause() throws InterruptedException {
        Retries.Backoff first = retries.backoff();
        first.pause();
        first.pause();
        Retries.Backoff second = retries.backoff();
        assertThat(second.nextPauseMs()).isEqualTo(100);
        second.pause();
        assertThat(pauses).containsExactly(100L, 200L, 100L);
    }

    @Test
    void aCallIsRetriedUntilItAnswersEachFailureToldWithThePauseAfterIt() {
        int[] tries = {0};
        List<String> told = new ArrayList<>();
        Optional<Integer> answer = retries.untilAnswered(() -> {
            if (++tries[0] <= 3) {
                throw new IllegalStateException("refused " + tries[0]);
            }
            return 42;
        }, () -> false, (e, nextPauseMs) -> told.add(e.getMessage() + " / " + nextPauseMs));
        assertThat(answer).contains(42);
        assertThat(told).containsExactly("refused 1 / 100", "refused 2 / 200", "refused 3 / 400");
        assertThat(pauses).containsExactly(100L, 200L, 400L);
    }

    @Test
    void aCallGivesUpWithoutPausingOnceTheRuntimeStops() {
        int[] tries = {0};
        Optional<Integer> answer = retries.untilAnswered(() -> {
            tries[0]++;
            throw new IllegalStateException("refused");
        }, () -> tries[0] >= 2, (e, nextPauseMs) -> { });
        assertThat(answer).isEmpty();
        assertThat(tries[0]).isEqualTo(2);
        assertThat(pauses).containsExactly(100L);
    }

    @Test
    void aCallInterruptedInItsPauseGivesUpWithTheFlagSetAgain() {
        Retries interrupting = new Retries(Duration.ofSeconds(5), ms -> {
            throw new InterruptedException();
        });
        try {
            assertThat(interrupting.untilAnswered(() -> {
                throw new IllegalStateException("refused");
            }, () -> false, (e, nextPauseMs) -> { })).isEmpty();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aHeldModelIsTriedAgainWithinTheFlushIntervalGrowingToAMinute() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            assertThat(retries.nextHoldAttemptMs(1, 1_000_000, random)).isBetween(1_000_000L, 1_000_000L + 4_999);
            assertThat(retries.nextHoldAttemptMs(20, 1_000_000, random)).isBetween(1_000_000L, 1_000_000L + 59_999);
        }
    }
}
