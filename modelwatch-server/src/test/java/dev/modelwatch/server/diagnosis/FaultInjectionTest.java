package dev.modelwatch.server.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.ManualClock;
import dev.modelwatch.server.TestServer;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.simulate.TrafficSimulator;
import dev.modelwatch.server.simulate.TrafficSimulator.Fault;
import dev.modelwatch.server.simulate.TrafficSimulator.Scenario;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected into realistic traffic ({@link TrafficSimulator}) and sent through a started
 * server; the diagnosis route must name them: the injected cause first in every single-fault
 * scenario, with the right feature, segment or version; both causes in the top three of the mixed
 * ones; no cause at or above {@link ProfileDiagnoser#PROBABLE} on clean traffic. Event timestamps
 * compress the time: one-minute windows on a manual clock, 40 windows of 1,000 predictions per
 * scenario (with a daily cycle of volume), onset at window 20, labels two windows late. The traffic's
 * seed is {@code -Dmodelwatch.faultInjection.seed} (default 20260216; each scenario adds its index).
 *
 * <p>It also measures, per scenario, the event time from the onset to the first diagnosis (of the
 * range so far) that ranks the true cause first, and writes the table to
 * {@code target/diagnosis-benchmark.md} (BENCHMARKS.md quotes it), and every final diagnosis to
 * {@code target/diagnosis-scenarios.json} (each scenario's first incident to
 * {@code target/diagnosis-incidents.json}, and as it stands at the end to
 * {@code target/diagnosis-incidents-at-end.json}). The default rule pack is evaluated at the close of every
 * window ({@code TestServer.evaluateAlerts}); the table also gives the event time from the onset to the
 * first incident of the scenario's model (opened by the pack's alerts, read through the incidents API
 * once its diagnosis is stored) and the rank of the true cause in that incident's own diagnosis; clean
 * traffic must open no incident. The incident's rank is given for its first diagnosis and, when it
 * differs, at the end (an open incident is diagnosed again as the evidence grows).
 */
class FaultInjectionTest {
    private static final long MINUTE = 60_000L;
    private static final long START = 20_500 * 86_400_000L; // 2026-02-16T00:00Z
    private static final int WINDOWS = 40;
    private static final int ONSET = 20;
    private static final int PER_WINDOW = 1_000;

    /** A cause a scenario must produce: its kind and what it names (feature, segment or version; null: nothing). */
    private record Expected(String kind, String field, String value) {
        boolean matches(JsonNode cause) {
            return cause.path("kind").asText().equals(kind) && (field == null || value.equals(cause.path(field).asText()));
        }

        @Override
        public String toString() {
            return kind + (field == null ? "" : " " + field + "=" + value);
        }
    }

    private record Case(Scenario scenario, List<Expected> expected) {
    }

    private static Case single(String name, Fault fault, Expected expected) {
        return new Case(new Scenario(name, "sim-" + name.replace('_', '-'), EnumSet.of(fault), WINDOWS, ONSET, PER_WINDOW),
                List.of(expected));
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(single("covariate_drift", Fault.COVARIATE, new Expected("covariate_drift", "feature", "x2")));
        cases.add(single("data_quality", Fault.DATA_QUALITY, new Expected("data_quality", "feature", "x4")));
        cases.add(single("data_quality_units", Fault.UNIT_CHANGE, new Expected("data_quality", "feature", "amount")));
        cases.add(single("concept_drift", Fault.CONCEPT, new Expected("concept_drift", null, null)));
        cases.add(single("label_shift", Fault.LABEL_SHIFT, new Expected("label_shift", null, null)));
        cases.add(single("segment", Fault.SEGMENT, new Expected("segment", "segment", "region=latam")));
        cases.add(single("version_regression", Fault.VERSION, new Expected("version_regression", "version", "v2")));
        cases.add(single("infrastructure", Fault.INFRASTRUCTURE, new Expected("infrastructure", null, null)));
        cases.add(single("traffic_surge", Fault.TRAFFIC_SURGE, new Expected("infrastructure", null, null)));
        cases.add(single("training", Fault.TRAINING, new Expected("training", "version", "v2-r-17")));
        cases.add(new Case(new Scenario("mixed_quality_version", "sim-mixed-qv", EnumSet.of(Fault.DATA_QUALITY,
                Fault.VERSION), WINDOWS, ONSET, PER_WINDOW), List.of(new Expected("data_quality", "feature", "x4"),
                new Expected("version_regression", "version", "v2"))));
        cases.add(new Case(new Scenario("mixed_covariate_infrastructure", "sim-mixed-ci", EnumSet.of(Fault.COVARIATE,
                Fault.INFRASTRUCTURE), WINDOWS, ONSET, PER_WINDOW), List.of(new Expected("covariate_drift", "feature",
                "x2"), new Expected("infrastructure", null, null))));
        cases.add(new Case(new Scenario("clean", "sim-clean", EnumSet.noneOf(Fault.class), WINDOWS, ONSET, PER_WINDOW),
                List.of()));
        // last, so that the scenarios before keep their seeds
        cases.add(single("category_explosion", Fault.CATEGORY_EXPLOSION, new Expected("data_quality", "feature",
                "channel")));
        return cases;
    }

    @Test
    void theInjectedCauseRanksFirstAndCleanTrafficHasNoProbableCause(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock(START - MINUTE);
        List<Case> cases = cases();
        Map<String, TrafficSimulator> sims = new LinkedHashMap<>();
        long seed = Long.getLong("modelwatch.faultInjection.seed", 20_260_216);
        for (Case c : cases) {
            sims.put(c.scenario().name(), new TrafficSimulator(c.scenario(), new SplittableRandom(seed++), START, MINUTE));
        }
        Map<String, Long> firstDiagnosed = new LinkedHashMap<>();
        Map<String, JsonNode> firstIncident = new LinkedHashMap<>();
        Map<String, Long> incidentAfter = new LinkedHashMap<>();
        SoftAssertions soft = new SoftAssertions();
        try (TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir), clock)) {
            for (Case c : cases) {
                TestServer.Response r = server.put("/api/v1/models/" + c.scenario().model(),
                        "{\"task\":\"binary_classification\",\"positive_class\":\"1\",\"window\":\"1m\"}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                post(server, sims.get(c.scenario().name()).trainingEvents());
            }
            for (int w = 0; w < WINDOWS; w++) {
                clock.set(START + (w + 1) * MINUTE);
                for (Case c : cases) {
                    post(server, sims.get(c.scenario().name()).window(w));
                }
                server.server().awaitAggregated(Duration.ofMinutes(1));
                long closed = START + (w + 1) * MINUTE + 20; // the window closed, with the pipeline's grace
                clock.set(closed);
                server.evaluateAlerts(closed);
                for (Case c : cases) {
                    String name = c.scenario().name();
                    if (firstIncident.containsKey(name)) {
                        continue;
                    }
                    JsonNode open = server.get("/api/v1/incidents?model=" + c.scenario().model()).json().path("incidents");
                    if (open.size() > 0) {
                        String id = open.get(0).path("id").asText();
                        firstIncident.put(name, awaitDiagnosed(server, id));
                        incidentAfter.put(name, closed - (START + ONSET * MINUTE));
                    }
                }
                if (w >= ONSET) {
                    long to = START + (w + 1) * MINUTE;
                    for (Case c : cases) {
                        if (c.expected().isEmpty() || firstDiagnosed.containsKey(c.scenario().name())) {
                            continue;
                        }
                        JsonNode causes = diagnose(server, c.scenario().model(), to, null).path("causes");
                        if (found(causes, c.expected())) {
                            firstDiagnosed.put(c.scenario().name(), to - (START + ONSET * MINUTE));
                        }
                    }
                }
            }
            for (Case c : cases) {
                post(server, sims.get(c.scenario().name()).remainingLabels());
            }
            server.server().awaitAggregated(Duration.ofMinutes(1));
            // each first incident as it stands at the end: open ones are diagnosed again as evidence arrives
            Map<String, JsonNode> lastIncident = new LinkedHashMap<>();
            firstIncident.forEach((name, first) -> lastIncident.put(name,
                    server.get("/api/v1/incidents/" + first.path("id").asText()).json()));

            Map<String, JsonNode> answers = new LinkedHashMap<>();
            StringBuilder table = new StringBuilder("| scenario | true cause | rank | score | top cause (score) | "
                    + "onset to first right diagnosis | onset to incident (its first alerts) | incident's rank of the "
                    + "true cause (first diagnosis → at the end) | diagnosis answered in |\n"
                    + "|---|---|---|---|---|---|---|---|---|\n");
            for (Case c : cases) {
                long t0 = System.nanoTime();
                JsonNode d = diagnose(server, c.scenario().model(), START + WINDOWS * MINUTE, null);
                long answeredMs = (System.nanoTime() - t0) / 1_000_000;
                JsonNode causes = d.path("causes");
                String name = c.scenario().name();
                answers.put(name, d);
                JsonNode top = causes.size() > 0 ? causes.get(0) : null;
                String topText = top == null ? "none" : String.format(Locale.ROOT, "%s (%.2f)",
                        top.path("kind").asText(), top.path("score").asDouble());
                if (c.expected().isEmpty()) {
                    double best = top == null ? 0 : top.path("score").asDouble();
                    soft.assertThat(best).as("clean traffic's best cause: " + causes).isLessThan(ProfileDiagnoser.PROBABLE);
                    soft.assertThat(firstIncident.get(name)).as("an incident on clean traffic").isNull();
                    table.append(String.format(Locale.ROOT, "| %s | none | - | - | %s | - | %s | - | %d ms |%n", name,
                            topText, incidentText(firstIncident.get(name), incidentAfter.get(name)), answeredMs));
                    continue;
                }
                for (Expected e : c.expected()) {
                    int rank = rank(causes, e);
                    double score = rank > 0 ? causes.get(rank - 1).path("score").asDouble() : 0;
                    if (c.expected().size() == 1) {
                        soft.assertThat(rank).as(name + ": rank of " + e + " in " + causes).isEqualTo(1);
                    } else {
                        soft.assertThat(rank).as(name + ": rank of " + e + " in " + causes).isBetween(1, 3);
                    }
                    Long t = firstDiagnosed.get(name);
                    JsonNode incident = firstIncident.get(name);
                    String incidentRank = incident == null ? "-" : rankText(rank(incident.path("causes"), e));
                    String lastRank = incident == null ? "-" : rankText(rank(lastIncident.get(name).path("causes"), e));
                    table.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %s | %s | %s | %s | %d ms |%n", name,
                            e, rank > 0 ? Integer.toString(rank) : "absent", score, topText,
                            t == null ? "not within the range" : (t / MINUTE) + " min",
                            incidentText(incident, incidentAfter.get(name)),
                            incidentRank.equals(lastRank) ? incidentRank : incidentRank + " → " + lastRank, answeredMs));
                }
            }
            // the incidents name the true cause: the unit change, whose alert's condition started a window after
            // it, from its first diagnosis; the training run's, once the version it produced takes the traffic
            soft.assertThat(rank(firstIncident.get("data_quality_units").path("causes"),
                    new Expected("data_quality", "feature", "amount"))).as("the unit change's incident").isEqualTo(1);
            soft.assertThat(rank(lastIncident.get("training").path("causes"),
                    new Expected("training", "version", "v2-r-17"))).as("the training run's incident at the end")
                    .isEqualTo(1);

            // the surge's latency is explained by the traffic, not by a host
            soft.assertThat(answers.get("traffic_surge").path("causes").path(0).path("evidence").path("resources").path(0)
                    .path("metric").asText()).isEqualTo("traffic");
            soft.assertThat(answers.get("infrastructure").path("causes").path(0).path("evidence").path("resources")
                    .path(0).path("host").asText()).isEqualTo("h1");

            // the training run itself, for an alert on the run
            JsonNode run = diagnose(server, "sim-training", START + WINDOWS * MINUTE, TrafficSimulator.TRAINING_RUN)
                    .path("causes");
            soft.assertThat(run.size()).isPositive();
            soft.assertThat(run.path(0).path("kind").asText()).as(run.toString()).isEqualTo("training");
            soft.assertThat(run.path(0).path("evidence").path("problems").toString()).contains("nan_loss");

            // the command line prints the same diagnosis
            String end = Long.toString(START + WINDOWS * MINUTE);
            String onset = Long.toString(START + ONSET * MINUTE);
            DiagnoseCli text = DiagnoseCli.run("diagnose", "--model", "sim-covariate-drift", "--from",
                    Long.toString(START), "--to", end, "--onset", onset, "--server", "http://127.0.0.1:" + server.server().port());
            soft.assertThat(text.exitCode()).as(text.err()).isZero();
            soft.assertThat(text.out()).contains("Diagnosis of sim-covariate-drift", "1. covariate_drift",
                    "feature: x2", "(probable)", "-> retrain");
            DiagnoseCli json = DiagnoseCli.run("diagnose", "--model", "sim-covariate-drift", "--from",
                    Long.toString(START), "--to", end, "--onset", onset, "--server", "http://127.0.0.1:" + server.server().port(), "--json");
            soft.assertThat(json.exitCode()).as(json.err()).isZero();
            soft.assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).path("causes")
                    .path(0).path("feature").asText()).isEqualTo("x2");
            DiagnoseCli unknown = DiagnoseCli.run("diagnose", "--model", "nobody", "--from", Long.toString(START),
                    "--to", end, "--server", "http://127.0.0.1:" + server.server().port());
            soft.assertThat(unknown.exitCode()).isEqualTo(1);
            soft.assertThat(unknown.err()).contains("404", "unknown model 'nobody'");

            // the alerts that raised the question weigh the causes: a drift alert does not point to the hosts
            JsonNode weighed = server.get("/api/v1/models/sim-infrastructure/diagnosis?from=" + START + "&to=" + end
                    + "&onset=" + onset + "&alerts=ModelFeatureDrift").json().path("causes").path(0);
            soft.assertThat(weighed.path("kind").asText()).isEqualTo("infrastructure");
            soft.assertThat(weighed.path("score").asDouble()).isCloseTo(AlertWeights.NOT_POINTED_TO
                    * answers.get("infrastructure").path("causes").path(0).path("score").asDouble(),
                    org.assertj.core.data.Offset.offset(1e-9));
            DiagnoseCli weighedText = DiagnoseCli.run("diagnose", "--model", "sim-infrastructure", "--from",
                    Long.toString(START), "--to", end, "--onset", onset, "--alerts", "ModelFeatureDrift", "--server",
                    "http://127.0.0.1:" + server.server().port());
            soft.assertThat(weighedText.exitCode()).as(weighedText.err()).isZero();
            soft.assertThat(weighedText.out()).contains("the alerts' symptoms (drift) do not point to infrastructure");
            TestServer.Response emptyAlert = server.get("/api/v1/models/sim-clean/diagnosis?from=" + START + "&to="
                    + end + "&alerts=ModelFeatureDrift,");
            soft.assertThat(emptyAlert.status()).isEqualTo(400);
            soft.assertThat(emptyAlert.body()).contains("alerts: an empty alert name");
            TestServer.Response unknownAlert = server.get("/api/v1/models/sim-clean/diagnosis?from=" + START + "&to="
                    + end + "&alerts=NoSuchRule");
            soft.assertThat(unknownAlert.status()).isEqualTo(400);
            soft.assertThat(unknownAlert.body()).contains("alerts: 'NoSuchRule' is not the name of an alert rule");

            // bad questions are refused with the reason
            TestServer.Response outside = server.get("/api/v1/models/sim-clean/diagnosis?from=" + START + "&to=" + end
                    + "&onset=" + (START - MINUTE));
            soft.assertThat(outside.status()).isEqualTo(400);
            soft.assertThat(outside.body()).contains("onset");
            TestServer.Response badTime = server.get("/api/v1/models/sim-clean/diagnosis?from=yesterday&to=" + end);
            soft.assertThat(badTime.status()).isEqualTo(400);
            soft.assertThat(badTime.body()).contains("from");

            Path out = Path.of("target", "diagnosis-benchmark.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table.toString());
            Files.writeString(out.resolveSibling("diagnosis-scenarios.json"),
                    new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                            .writeValueAsString(answers));
            Files.writeString(out.resolveSibling("diagnosis-incidents.json"),
                    new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                            .writeValueAsString(firstIncident));
            Files.writeString(out.resolveSibling("diagnosis-incidents-at-end.json"),
                    new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                            .writeValueAsString(lastIncident));
            System.out.println(table);
        }
        soft.assertAll();
    }

    /** "N min (alerts)" from the onset to the incident, or that none opened; negative: it opened before the onset. */
    private static String incidentText(JsonNode incident, Long after) {
        if (incident == null) {
            return "no incident";
        }
        List<String> rules = new ArrayList<>();
        incident.path("alerts").forEach(a -> {
            if (!rules.contains(a.path("rule").asText())) {
                rules.add(a.path("rule").asText());
            }
        });
        return Math.floorDiv(after, MINUTE) + " min (" + String.join(", ", rules) + ")";
    }

    /** The incident once its diagnosis is stored (diagnoses run on the incidents' own executor). */
    private static JsonNode awaitDiagnosed(TestServer server, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode incident = server.get("/api/v1/incidents/" + id).json();
            boolean diagnosed = false;
            for (JsonNode line : incident.path("timeline")) {
                diagnosed |= line.path("kind").asText().equals("diagnosis");
            }
            if (diagnosed) {
                return incident;
            }
            assertThat(System.nanoTime()).as("incident " + id + " diagnosed within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static boolean found(JsonNode causes, List<Expected> expected) {
        if (expected.size() == 1) {
            return rank(causes, expected.get(0)) == 1;
        }
        return expected.stream().allMatch(e -> rank(causes, e) >= 1 && rank(causes, e) <= 3);
    }

    private static String rankText(int rank) {
        return rank > 0 ? Integer.toString(rank) : "absent";
    }

    /** The 1-based rank of the first cause matching, 0 when none does. */
    private static int rank(JsonNode causes, Expected e) {
        for (int i = 0; i < causes.size(); i++) {
            if (e.matches(causes.get(i))) {
                return i + 1;
            }
        }
        return 0;
    }

    private static JsonNode diagnose(TestServer server, String model, long to, String run) {
        TestServer.Response r = server.get("/api/v1/models/" + model + "/diagnosis?from=" + START + "&to=" + to
                + "&onset=" + (START + ONSET * MINUTE) + (run == null ? "" : "&run=" + run));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static void post(TestServer server, String ndjson) {
        if (ndjson.isEmpty()) {
            return;
        }
        TestServer.Response r = server.post("/api/v1/events", "application/x-ndjson",
                ndjson.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("rejected").asInt()).as(r.body()).isZero();
    }
}
