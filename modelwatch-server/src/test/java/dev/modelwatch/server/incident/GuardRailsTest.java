package dev.modelwatch.server.incident;

import static dev.modelwatch.server.incident.IncidentFixtures.cause;
import static dev.modelwatch.server.incident.IncidentFixtures.fire;
import static dev.modelwatch.server.incident.IncidentFixtures.labels;
import static dev.modelwatch.server.incident.IncidentFixtures.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.diagnosis.CauseKind;
import dev.modelwatch.server.incident.IncidentFixtures.MemoryIncidentStore;
import dev.modelwatch.server.incident.IncidentFixtures.RecordingRunner;
import dev.modelwatch.server.incident.IncidentFixtures.ScriptedDiagnoser;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The guard rails of automatic actions, on a manual clock: cool-down, daily maximum, dry run, score and severity. */
class GuardRailsTest {
    static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    final ManualClock clock = new ManualClock(T0);
    final ScriptedDiagnoser diagnoser = new ScriptedDiagnoser(clock,
            r -> List.of(cause(CauseKind.VERSION_REGRESSION, 0.9, null), cause(CauseKind.COVARIATE_DRIFT, 0.4, "amount")));
    final RecordingRunner runner = new RecordingRunner();
    int alerts;

    static ActionConfig rollback(boolean dryRun, Duration cooldown, int maxPerDay, Set<CauseKind> causes,
                                 Set<String> severities, double minScore) {
        return new ActionConfig("rollback", new ActionConfig.WebhookHook(URI.create("http://deploy.example.com/rollback"),
                Duration.ofSeconds(5)), new ActionConfig.AutoRun(causes, severities, minScore), dryRun, cooldown,
                maxPerDay);
    }

    Incidents incidents(ActionConfig action) {
        return Incidents.builder(new MemoryIncidentStore(), new IncidentConfig(Duration.ofMinutes(30), Duration.ofHours(1),
                        Map.of("fraud", List.of(action)))).clock(clock).diagnoser(diagnoser).work(Runnable::run)
                .hooks(runner).build();
    }

    /** A new alert of fraud fires now (the model's incident is diagnosed again). */
    void anotherAlertFires(Incidents incidents) {
        SeriesLabels l = labels("alertname", "Alert" + (++alerts), "model", "fraud", "severity", "critical");
        incidents.onTransitions(List.of(fire(l, clock.millis())), clock.millis());
    }

    List<String> outcomes(Incidents incidents) {
        return incidents.list(null, null).stream().flatMap(i -> i.timeline().stream())
                .filter(e -> e.kind() == TimelineKind.ACTION).map(TimelineEntry::outcome).toList();
    }

    @Test
    void noAutomaticRunWithinTheCoolDownOfTheLastOne() {
        Incidents incidents = incidents(rollback(false, Duration.ofHours(1), 10, Set.of(CauseKind.VERSION_REGRESSION),
                Set.of(), 0.5));
        anotherAlertFires(incidents);
        assertThat(runner.runs).hasSize(1);
        assertThat(runner.runs.get(0).json()).contains("\"by\":\"automatic\"");

        clock.advance(Duration.ofMinutes(59));
        anotherAlertFires(incidents);
        assertThat(runner.runs).as("within the cool-down").hasSize(1);
        TimelineEntry skipped = incidents.list(null, null).get(0).timeline().stream()
                .filter(e -> "skipped".equals(e.outcome())).findFirst().orElseThrow();
        assertThat(skipped.text()).isEqualTo("not run (automatic, for version_regression scored 0.90): cool-down: it"
                + " last ran at 2026-11-22T10:00:00Z, it may run again from 2026-11-22T11:00:00Z");
        anotherAlertFires(incidents);
        assertThat(outcomes(incidents)).as("a refusal is not repeated").containsExactly("started", "succeeded", "skipped");

        clock.advance(Duration.ofMinutes(1));
        anotherAlertFires(incidents);
        assertThat(runner.runs).as("the cool-down is over").hasSize(2);
    }

    @Test
    void noMoreAutomaticRunsThanTheDailyMaximumInAny24Hours() {
        Incidents incidents = incidents(rollback(false, Duration.ZERO, 2, Set.of(CauseKind.VERSION_REGRESSION),
                Set.of(), 0.5));
        anotherAlertFires(incidents);
        clock.advance(Duration.ofHours(1));
        anotherAlertFires(incidents);
        clock.advance(Duration.ofHours(1));
        anotherAlertFires(incidents);
        assertThat(runner.runs).hasSize(2);
        assertThat(outcomes(incidents)).last().isEqualTo("skipped");

        // a person may still run it; the run counts
        incidents.runAction("1", "rollback", "ana", false);
        assertThat(runner.runs).hasSize(3);

        clock.set(T0 + Duration.ofHours(24).toMillis());
        anotherAlertFires(incidents);
        assertThat(runner.runs).as("the first run left the 24 hours, two remain in them").hasSize(3);
        clock.set(T0 + Duration.ofHours(25).toMillis());
        anotherAlertFires(incidents);
        assertThat(runner.runs).as("the second run left too: only the person's run is in the last 24 hours")
                .hasSize(4);
    }

    @Test
    void aDryRunRecordsWhatItWouldDoRunsNothingAndCountsForNoGuardRail() {
        Incidents incidents = incidents(rollback(true, Duration.ofHours(1), 1, Set.of(CauseKind.VERSION_REGRESSION),
                Set.of(), 0.5));
        anotherAlertFires(incidents);
        anotherAlertFires(incidents);
        assertThat(runner.runs).isEmpty();
        List<TimelineEntry> entries = incidents.list(null, null).get(0).timeline().stream()
                .filter(e -> e.kind() == TimelineKind.ACTION).toList();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).dryRun()).isTrue();
        assertThat(entries.get(0).text()).isEqualTo(
                "dry run (automatic, for version_regression scored 0.90): would POST http://deploy.example.com/rollback");
        assertThat(GuardRails.refusal(rollback(false, Duration.ofHours(1), 1, Set.of(CauseKind.VERSION_REGRESSION),
                Set.of(), 0.5), List.of(), clock.millis())).isNull();
    }

    @Test
    void onlyACauseScoredAtTheThresholdAndAnIncidentOfAChosenSeverityRunIt() {
        Incidents byScore = incidents(rollback(false, Duration.ZERO, 10, Set.of(CauseKind.COVARIATE_DRIFT), Set.of(),
                0.5));
        anotherAlertFires(byScore);
        assertThat(runner.runs).as("covariate drift scored 0.4 < 0.5").isEmpty();
        assertThat(outcomes(byScore)).isEmpty();

        Incidents bySeverity = incidents(rollback(false, Duration.ZERO, 10, Set.of(CauseKind.VERSION_REGRESSION),
                Set.of("page"), 0.9));
        anotherAlertFires(bySeverity);
        assertThat(runner.runs).as("the incident is critical, not page").isEmpty();

        Incidents exact = incidents(rollback(false, Duration.ZERO, 10, Set.of(CauseKind.VERSION_REGRESSION),
                Set.of("critical"), 0.9));
        anotherAlertFires(exact);
        assertThat(runner.runs).as("score 0.9 passes the threshold 0.9").hasSize(1);
    }

    @Test
    void aResolvedIncidentRunsNothingByItself() {
        Incidents incidents = incidents(rollback(false, Duration.ZERO, 10, Set.of(CauseKind.VERSION_REGRESSION),
                Set.of(), 0.5));
        SeriesLabels l = labels("alertname", "A", "model", "fraud");
        diagnoser.causes = r -> List.of();
        incidents.onTransitions(List.of(fire(l, T0)), T0);
        diagnoser.causes = r -> List.of(cause(CauseKind.VERSION_REGRESSION, 0.9, null));
        incidents.onTransitions(List.of(resolve(l, T0 + MINUTE)), T0 + MINUTE);
        assertThat(incidents.list(null, null).get(0).state()).isEqualTo(IncidentState.RESOLVED);
        assertThat(runner.runs).isEmpty();
    }
}
