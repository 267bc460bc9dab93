package dev.modelwatch.server.incident;

import static dev.modelwatch.server.incident.IncidentFixtures.cause;
import static dev.modelwatch.server.incident.IncidentFixtures.fire;
import static dev.modelwatch.server.incident.IncidentFixtures.id;
import static dev.modelwatch.server.incident.IncidentFixtures.labels;
import static dev.modelwatch.server.incident.IncidentFixtures.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.alert.lifecycle.Acknowledgement;
import dev.modelwatch.server.alert.lifecycle.AlertFingerprint;
import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertState;
import dev.modelwatch.server.alert.lifecycle.AlertTransition;
import dev.modelwatch.server.alert.notify.template.IncidentLinks;
import dev.modelwatch.server.diagnosis.CauseKind;
import dev.modelwatch.server.diagnosis.DiagnosisRequest;
import dev.modelwatch.server.incident.IncidentFixtures.MemoryIncidentStore;
import dev.modelwatch.server.incident.IncidentFixtures.RecordingRunner;
import dev.modelwatch.server.incident.IncidentFixtures.ScriptedDiagnoser;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IncidentsTest {
    static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    final ManualClock clock = new ManualClock(T0);
    final MemoryIncidentStore store = new MemoryIncidentStore();
    final ScriptedDiagnoser diagnoser = new ScriptedDiagnoser(clock,
            r -> List.of(cause(CauseKind.COVARIATE_DRIFT, 0.8, "amount")));
    final RecordingRunner runner = new RecordingRunner();

    static final SeriesLabels ACCURACY = labels("alertname", "AccuracyDrop", "model", "fraud", "severity", "critical");
    static final SeriesLabels LATENCY = labels("alertname", "LatencyHigh", "model", "fraud", "host", "gpu-1",
            "severity", "warning");
    static final SeriesLabels OTHER = labels("alertname", "AccuracyDrop", "model", "churn");

    Incidents incidents(IncidentConfig config) {
        return Incidents.builder(store, config).clock(clock).diagnoser(diagnoser).work(Runnable::run).hooks(runner)
                .externalUrl("https://mw.example.com/").modelsOfRun(run -> run.equals("r-7") ? Set.of("fraud") : Set.of())
                .build();
    }

    static List<String> kinds(Incident i) {
        return i.timeline().stream().map(e -> e.kind().wireName()).toList();
    }

    @Test
    void alertsOfOneModelBecomeOneIncidentThatResolvesWhenAllOfThemResolved() {
        Incidents incidents = incidents(IncidentConfig.DEFAULT);
        incidents.onTransitions(List.of(fire(ACCURACY, T0), fire(OTHER, T0)), T0);
        incidents.onTransitions(List.of(fire(LATENCY, T0 + 60_000)), T0 + 60_000);

        List<Incident> open = incidents.list(null, IncidentState.OPEN);
        assertThat(open).extracting(Incident::model).containsExactlyInAnyOrder("fraud", "churn");
        Incident fraud = incidents.list("fraud", null).get(0);
        assertThat(fraud.alerts()).extracting(IncidentAlert::rule).containsExactly("AccuracyDrop", "LatencyHigh");
        assertThat(fraud.severity()).isEqualTo("critical");

        incidents.onTransitions(List.of(resolve(ACCURACY, T0 + 120_000)), T0 + 120_000);
        assertThat(incidents.get(fraud.id()).orElseThrow().state()).as("one alert still fires").isEqualTo(IncidentState.OPEN);
        incidents.onTransitions(List.of(resolve(LATENCY, T0 + 180_000)), T0 + 180_000);

        Incident resolved = incidents.get(fraud.id()).orElseThrow();
        assertThat(resolved.state()).isEqualTo(IncidentState.RESOLVED);
        assertThat(resolved.resolvedAtMs()).isEqualTo(T0 + 180_000);
        assertThat(kinds(resolved)).containsSubsequence("opened", "alert_firing", "diagnosis", "alert_firing",
                "alert_resolved", "alert_resolved", "resolved");
        assertThat(incidents.list(null, IncidentState.RESOLVED)).extracting(Incident::id).containsExactly(fraud.id());
    }

    @Test
    void alertsOfATrainingRunOrOfAHostJoinTheirModelsIncident() {
        Incidents incidents = incidents(IncidentConfig.DEFAULT);
        incidents.onTransitions(List.of(fire(LATENCY, T0)), T0); // teaches that host gpu-1 serves fraud
        SeriesLabels run = labels("alertname", "LossNaN", "run", "r-7");
        SeriesLabels host = labels("alertname", "GpuMemoryFull", "host", "gpu-1");
        SeriesLabels nobody = labels("alertname", "DiskFull", "host", "db-3");
        incidents.onTransitions(List.of(fire(run, T0 + 1000), fire(host, T0 + 1000), fire(nobody, T0 + 1000)), T0 + 1000);

        assertThat(incidents.list(null, null)).hasSize(1);
        assertThat(incidents.list("fraud", null).get(0).alerts()).extracting(IncidentAlert::rule)
                .containsExactly("LatencyHigh", "LossNaN", "GpuMemoryFull");
        assertThat(diagnoser.requests.get(diagnoser.requests.size() - 1).run()).isEqualTo("r-7");
    }

    @Test
    void anAlertFiringSoonAfterTheResolutionReopensTheIncidentLaterOneOpensANewOne() {
        Incidents incidents = incidents(new IncidentConfig(Duration.ofMinutes(30), Duration.ofHours(6), Map.of()));
        incidents.onTransitions(List.of(fire(ACCURACY, T0)), T0);
        incidents.onTransitions(List.of(resolve(ACCURACY, T0 + 60_000)), T0 + 60_000);
        String first = incidents.list(null, null).get(0).id();

        long again = T0 + 60_000 + Duration.ofMinutes(30).toMillis();
        incidents.onTransitions(List.of(fire(LATENCY, again)), again);
        Incident reopened = incidents.get(first).orElseThrow();
        assertThat(reopened.state()).isEqualTo(IncidentState.OPEN);
        assertThat(reopened.resolvedAtMs()).isNull();
        assertThat(kinds(reopened)).containsSubsequence("resolved", "reopened", "alert_firing");
        assertThat(incidents.list(null, null)).hasSize(1);

        incidents.onTransitions(List.of(resolve(LATENCY, again + 1000)), again + 1000);
        long late = again + 1000 + Duration.ofMinutes(30).toMillis() + 1;
        incidents.onTransitions(List.of(fire(ACCURACY, late)), late);
        assertThat(incidents.list(null, null)).hasSize(2);
        Incident second = incidents.list(null, IncidentState.OPEN).get(0);
        assertThat(second.id()).isNotEqualTo(first);
        assertThat(second.openedAtMs()).isEqualTo(late);
    }

    @Test
    void theDiagnosisIsAskedForTheRangeBeforeTheOnsetAndKeptWithTheIncident() {
        Incidents incidents = incidents(new IncidentConfig(Duration.ofMinutes(30), Duration.ofHours(2), Map.of()));
        clock.set(T0 + 5_000);
        incidents.onTransitions(List.of(fire(ACCURACY, T0)), T0);

        assertThat(diagnoser.requests).hasSize(1);
        var r = diagnoser.requests.get(0);
        assertThat(r.model()).isEqualTo("fraud");
        assertThat(r.onset()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(r.from()).isEqualTo(Instant.ofEpochMilli(T0 - Duration.ofHours(2).toMillis()));
        assertThat(r.to()).isEqualTo(Instant.ofEpochMilli(T0 + 5_001));
        assertThat(r.alerts()).containsExactly("AccuracyDrop");
        Incident i = incidents.list(null, null).get(0);
        assertThat(i.diagnosis().causes().get(0).path("kind").asText()).isEqualTo("covariate_drift");
        assertThat(i.diagnosis().causes().get(0).path("feature").asText()).isEqualTo("amount");
        assertThat(i.diagnosis().causes().get(0).path("evidence").path("psi").asDouble()).isEqualTo(0.41);

        // the same causes again add no line; new ones do
        incidents.onTransitions(List.of(fire(LATENCY, T0 + 10_000)), T0 + 10_000);
        assertThat(kinds(incidents.get(i.id()).orElseThrow()).stream().filter("diagnosis"::equals)).hasSize(1);
        diagnoser.causes = x -> List.of(cause(CauseKind.INFRASTRUCTURE, 0.7, null));
        incidents.onTransitions(List.of(resolve(LATENCY, T0 + 20_000)), T0 + 20_000);
        Incident after = incidents.get(i.id()).orElseThrow();
        assertThat(kinds(after).stream().filter("diagnosis"::equals)).hasSize(2);
        assertThat(after.timeline().get(after.timeline().size() - 1).text()).contains("infrastructure (score 0.70)");
    }

    @Test
    void theOnsetIsWhenTheFiringAlertsConditionStartedToHold() {
        Incidents incidents = incidents(new IncidentConfig(Duration.ofMinutes(30), Duration.ofHours(2), Map.of()));
        long fired = T0 + 300_000; // a rule's "for: 5m" after it turned pending
        clock.set(fired + 5_000);
        incidents.onTransitions(List.of(new AlertTransition(AlertFingerprint.of(ACCURACY), ACCURACY, AlertState.INACTIVE,
                AlertState.PENDING, T0, 0.5, AlertTransition.Effect.NONE, false, "")), T0);
        assertThat(diagnoser.requests).isEmpty();
        incidents.onTransitions(List.of(fire(ACCURACY, fired)), fired);
        assertThat(diagnoser.requests).hasSize(1);
        assertThat(diagnoser.requests.get(0).onset()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(diagnoser.requests.get(0).from()).isEqualTo(Instant.ofEpochMilli(T0 - Duration.ofHours(2).toMillis()));
        // the incident's alert still says when it fired (receivers were told)
        assertThat(incidents.list(null, null).get(0).alerts().get(0).startedAtMs()).isEqualTo(fired);

        // a pending alert that stopped before firing leaves nothing behind: its next episode starts afresh
        incidents.onTransitions(List.of(resolve(ACCURACY, fired + 60_000)), fired + 60_000);
        long again = fired + 3_600_000;
        incidents.onTransitions(List.of(new AlertTransition(AlertFingerprint.of(ACCURACY), ACCURACY, AlertState.RESOLVED,
                AlertState.PENDING, again, 0.5, AlertTransition.Effect.NONE, false, "")), again);
        incidents.onTransitions(List.of(new AlertTransition(AlertFingerprint.of(ACCURACY), ACCURACY, AlertState.PENDING,
                AlertState.INACTIVE, again + 60_000, 0.9, AlertTransition.Effect.NONE, false, "")), again + 60_000);
        long third = again + 7_200_000;
        clock.set(third + 5_000);
        incidents.onTransitions(List.of(fire(ACCURACY, third)), third);
        assertThat(diagnoser.requests.get(diagnoser.requests.size() - 1).onset()).isEqualTo(Instant.ofEpochMilli(third));
    }

    @Test
    void aFailingDiagnosisIsInTheTimelineAndTheIncidentStaysOpen() {
        diagnoser.causes = r -> {
            throw new IllegalStateException("profiles unreadable");
        };
        Incidents incidents = incidents(IncidentConfig.DEFAULT);
        incidents.onTransitions(List.of(fire(ACCURACY, T0)), T0);
        Incident i = incidents.list(null, null).get(0);
        assertThat(i.state()).isEqualTo(IncidentState.OPEN);
        assertThat(i.diagnosis()).isNull();
        assertThat(i.timeline().get(i.timeline().size() - 1).text()).isEqualTo("the diagnosis failed: profiles unreadable");
    }

    @Test
    void notesOwnerAndAcknowledgementsGoIntoTheTimeline() {
        Incidents incidents = incidents(IncidentConfig.DEFAULT);
        incidents.onTransitions(List.of(fire(ACCURACY, T0)), T0);
        String id = incidents.list(null, null).get(0).id();

        clock.set(T0 + 1000);
        incidents.onAcknowledged(fire(ACCURACY, T0), new Acknowledgement("ana", "on it", T0 + 1000));
        assertThat(incidents.get(id).orElseThrow().owner()).as("the first to acknowledge owns it").isEqualTo("ana");
        incidents.addNote(id, "bo", "feature amount looks off", null);
        incidents.addNote(id, "bo", "I take it", "bo");
        incidents.setOwner(id, "bo", "ana"); // no change, no line

        Incident i = incidents.get(id).orElseThrow();
        assertThat(i.owner()).isEqualTo("bo");
        List<TimelineEntry> people = i.timeline().stream().filter(e -> e.by() != null).toList();
        assertThat(people).extracting(e -> e.kind().wireName() + ":" + e.by() + ":" + e.text()).containsExactly(
                "acknowledged:ana:acknowledged AccuracyDrop: on it",
                "owner:ana:ana owns the incident (first to acknowledge)",
                "note:bo:feature amount looks off",
                "note:bo:I take it",
                "owner:bo:bo owns the incident (was ana)");
        assertThat(incidents.addNote("404", "bo", "x", null)).isEmpty();
    }

    @Test
    void incidentsSurviveARestartAndNotificationsFindTheirIncident() {
        Incidents incidents = incidents(IncidentConfig.DEFAULT);
        incidents.onTransitions(List.of(fire(ACCURACY, T0)), T0);
        incidents.addNote("1", "ana", "first note", null);
        incidents.onTransitions(List.of(fire(OTHER, T0 + 1000)), T0 + 1000);

        Incidents reloaded = incidents(IncidentConfig.DEFAULT);
        assertThat(reloaded.list(null, null)).isEqualTo(incidents.list(null, null));
        IncidentLinks.Link link = reloaded.find(id(ACCURACY), T0);
        assertThat(link).isEqualTo(new IncidentLinks.Link("1", "https://mw.example.com/ui/incidents/1"));
        assertThat(reloaded.find(id(OTHER), T0 + 1000).id()).isEqualTo("2");
        assertThat(reloaded.find("00000000000000ff", T0)).isNull();

        SeriesLabels third = labels("alertname", "AccuracyDrop", "model", "ads");
        reloaded.onTransitions(List.of(fire(third, T0 + 2000)), T0 + 2000);
        assertThat(reloaded.find(id(third), T0 + 2000).id()).as("ids go on after the stored ones").isEqualTo("3");
    }

    @Test
    void aPersonRunsAConfiguredActionAndItsOutcomeGoesIntoTheTimeline() {
        ActionConfig rollback = new ActionConfig("rollback", new ActionConfig.WebhookHook(
                java.net.URI.create("http://deploy.example.com/rollback"), Duration.ofSeconds(5)), null, false,
                Duration.ofHours(1), 3);
        Incidents incidents = incidents(new IncidentConfig(Duration.ofMinutes(30), Duration.ofHours(6),
                Map.of("fraud", List.of(rollback))));
        incidents.onTransitions(List.of(fire(ACCURACY, T0)), T0);

        incidents.runAction("1", "rollback", "ana", true);
        assertThat(runner.runs).as("a dry run runs nothing").isEmpty();
        incidents.runAction("1", "rollback", "ana", false);
        assertThat(runner.runs).hasSize(1);
        assertThat(runner.runs.get(0).json()).contains("\"action\":\"rollback\"", "\"by\":\"ana\"",
                "\"url\":\"https://mw.example.com/ui/incidents/1\"", "\"model\":\"fraud\"");
        List<TimelineEntry> actions = incidents.get("1").orElseThrow().timeline().stream()
                .filter(e -> e.kind() == TimelineKind.ACTION).toList();
        assertThat(actions).extracting(TimelineEntry::outcome).containsExactly("dry_run", "started", "succeeded");
        assertThat(actions.get(0).text()).isEqualTo("dry run (run by ana): would POST http://deploy.example.com/rollback");
        assertThatThrownBy(() -> incidents.runAction("1", "retrain", "ana", false))
                .hasMessage("action: model 'fraud' has no action 'retrain'; it has rollback");
    }

    @Test
    void atStartAFiringAlertOfNoIncidentJoinsOneAndAnAlertThatStoppedFiringResolves() {
        Incidents incidents = incidents(IncidentConfig.DEFAULT);
        incidents.onTransitions(List.of(fire(LATENCY, T0)), T0);
        AlertInstance firing = AlertInstance.builder(ACCURACY, ACCURACY, AlertState.FIRING, T0 + 5_000)
                .episodeStartMs(T0 + 5_000).build();

        incidents.onRestored(List.of(firing), T0 + 60_000);
        Incident i = incidents.list(null, null).get(0);
        assertThat(incidents.list(null, null)).hasSize(1);
        assertThat(i.alert(id(ACCURACY)).firing()).isTrue();
        assertThat(i.alert(id(ACCURACY)).startedAtMs()).isEqualTo(T0 + 5_000);
        assertThat(i.alert(id(LATENCY)).firing()).as("LatencyHigh no longer fires").isFalse();
        assertThat(i.alert(id(LATENCY)).resolvedAtMs()).isEqualTo(T0 + 60_000);
        assertThat(incidents.find(id(ACCURACY), T0 + 5_000).id()).isEqualTo(i.id());

        int lines = i.timeline().size();
        incidents.onRestored(List.of(firing), T0 + 70_000);
        assertThat(incidents.get(i.id()).orElseThrow().timeline()).as("nothing was missed this time").hasSize(lines);
    }

    @Test
    void aFlappingAlertsLinesAreDroppedFirstWhenTheTimelineIsFull() {
        Incidents incidents = incidents(IncidentConfig.DEFAULT);
        incidents.onTransitions(List.of(fire(ACCURACY, T0)), T0);
        incidents.addNote("1", "ana", "before the flapping", null);
        incidents.onTransitions(List.of(fire(LATENCY, T0 + 1)), T0 + 1);
        for (int k = 0; k < Incident.MAX_TIMELINE; k++) {
            long t = T0 + 10 + 2L * k;
            incidents.onTransitions(List.of(resolve(LATENCY, t)), t);
            incidents.onTransitions(List.of(fire(LATENCY, t + 1)), t + 1);
        }
        Incident i = incidents.get("1").orElseThrow();
        assertThat(i.timeline()).hasSize(Incident.MAX_TIMELINE);
        assertThat(i.timeline().get(0).kind()).isEqualTo(TimelineKind.OPENED);
        assertThat(i.timeline()).extracting(TimelineEntry::text).contains("before the flapping");
        assertThat(i.timeline().get(i.timeline().size() - 1).kind()).isEqualTo(TimelineKind.ALERT_FIRING);
        assertThat(i.state()).isEqualTo(IncidentState.OPEN);
    }

    @Test
    void resolvedIncidentsAreForgottenPastTheirKeepOpenOnesAreNot() {
        Incidents incidents = incidents(new IncidentConfig(Duration.ofMinutes(30), Duration.ofHours(6), Map.of(),
                Duration.ofDays(1)));
        incidents.onTransitions(List.of(fire(ACCURACY, T0), fire(OTHER, T0)), T0);
        incidents.onTransitions(List.of(resolve(ACCURACY, T0 + 1000)), T0 + 1000);

        long later = T0 + Duration.ofDays(1).toMillis() + 1001;
        clock.set(later);
        SeriesLabels ads = labels("alertname", "AccuracyDrop", "model", "ads");
        incidents.onTransitions(List.of(fire(ads, later)), later);
        assertThat(incidents.list(null, null)).extracting(Incident::model).containsExactlyInAnyOrder("churn", "ads");
        assertThat(incidents.find(id(ACCURACY), T0)).isNull();
        assertThat(store.rows.keySet()).containsExactlyInAnyOrder("2", "3");
        assertThat(incidents(IncidentConfig.DEFAULT).list(null, null)).hasSize(2);
    }

    @Test
    void aLiveIncidentIsDiagnosedAgainWhenItsDiagnosisIsOldAndAnyAlertChanges() {
        Incidents incidents = incidents(IncidentConfig.DEFAULT);
        incidents.onTransitions(List.of(fire(ACCURACY, T0)), T0);
        assertThat(fraudRequests()).isEqualTo(1);
        // what arrives later explains it better: a version taking the traffic
        diagnoser.causes = r -> List.of(cause(CauseKind.VERSION_REGRESSION, 0.9, null));

        long soon = T0 + IncidentDiagnoses.REFRESH_AFTER_MS - 60_000;
        clock.set(soon);
        incidents.onTransitions(List.of(fire(OTHER, soon)), soon); // churn's alert
        assertThat(fraudRequests()).as("fraud's diagnosis is recent").isEqualTo(1);

        long later = T0 + IncidentDiagnoses.REFRESH_AFTER_MS + 1;
        clock.set(later);
        incidents.onTransitions(List.of(fire(labels("alertname", "AccuracyDrop", "model", "ads"), later)), later);
        assertThat(fraudRequests()).isEqualTo(2);
        DiagnosisRequest again = diagnoser.requests.get(diagnoser.requests.size() - 1);
        assertThat(again.model()).isEqualTo("fraud");
        assertThat(again.onset()).as("the same onset, a longer range").isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(again.to()).isEqualTo(Instant.ofEpochMilli(later + 1));
        Incident fraud = incidents.list("fraud", null).get(0);
        assertThat(fraud.diagnosis().causes().get(0).path("kind").asText()).isEqualTo("version_regression");
        assertThat(fraud.timeline().get(fraud.timeline().size() - 1).text()).contains("best version_regression");

        // resolved, it is diagnosed again while an alert may reopen it (reopen_within, 30 min), not after
        incidents.onTransitions(List.of(resolve(ACCURACY, later + 1)), later + 1);
        long resolvedCount = fraudRequests();
        long stillLive = later + 1 + IncidentConfig.DEFAULT.reopenWithin().toMillis() - 1;
        clock.set(stillLive);
        incidents.onTransitions(List.of(resolve(OTHER, stillLive)), stillLive);
        assertThat(fraudRequests()).isEqualTo(resolvedCount + 1);
        long past = stillLive + IncidentDiagnoses.REFRESH_AFTER_MS + 1_000;
        clock.set(past);
        incidents.onTransitions(List.of(fire(OTHER, past)), past);
        assertThat(fraudRequests()).isEqualTo(resolvedCount + 1);
    }

    private long fraudRequests() {
        return diagnoser.requests.stream().filter(r -> r.model().equals("fraud")).count();
    }
}
