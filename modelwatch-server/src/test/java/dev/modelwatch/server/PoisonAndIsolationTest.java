package dev.modelwatch.server;

import static dev.modelwatch.server.WorkerFailureTest.awaitTrue;
import static dev.modelwatch.server.WorkerFailureTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.server.cli.Main;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.ingest.DurableLog;
import dev.modelwatch.server.ingest.LogRecord;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoredProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No poison, on each of the three databases: what storage cannot hold is refused at ingest with
 * its field; and a model whose writes storage refuses is held, retried, parked in the dead-letter
 * directory after {@code aggregation.park_after}, while every other model's counts go on being
 * committed; the parked events replay once the cause is gone, counted once.
 */
class PoisonAndIsolationTest {
    @TempDir
    Path dir;

    private static String prediction(String model, String id, String version, long ts) {
        return "{\"type\":\"prediction\",\"model\":\"" + model + "\",\"id\":\"" + id + "\",\"version\":\"" + version
                + "\",\"timestamp\":" + ts + ",\"features\":{\"x\":1.5,\"city\":\"Berlin\"},\"prediction\":1,\"score\":0.8}";
    }

    private static String batch(Stream<String> events) {
        return "[" + String.join(",", events.toList()) + "]";
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql", "mariadb"})
    void stringsStorageCannotHoldAreRefusedAtIngestWithTheirFieldAndOtherModelsKeepFlushing(String kind) {
        long ts = System.currentTimeMillis() - 60_000;
        try (TestDatabase db = TestDatabase.create(kind)) {
            TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir).withDb(db.url()));
            try {
                // the probe of the issue: a NUL in a version; then a lone surrogate, a NUL in a feature value,
                // in a segment key, and in a label
                String body = batch(Stream.of(
                        prediction("clean", "c0", "v1", ts),
                        prediction("poisoned", "p0", "v\\u0000x", ts),
                        prediction("poisoned", "p1", "v1", ts).replace("\"city\":\"Berlin\"", "\"city\":\"Ber\\ud800lin\""),
                        prediction("poisoned", "p2", "v1", ts).replace("\"score\":0.8}",
                                "\"score\":0.8,\"segments\":{\"reg\\u0000ion\":\"eu\"}}"),
                        "{\"type\":\"label\",\"model\":\"poisoned\",\"id\":\"p0\",\"label\":\"y\\u0000es\"}",
                        prediction("poisoned", "p3", "v1", ts)));
                JsonNode answer = server.postJson(body).json();
                assertThat(answer.path("accepted").asInt()).isEqualTo(2);
                assertThat(answer.path("rejected").asInt()).isEqualTo(4);
                assertThat(answer.path("errors").get(0).path("index").asInt()).isEqualTo(1);
                assertThat(answer.path("errors").get(0).path("error").asText())
                        .isEqualTo("version: contains a NUL character (U+0000) at position 1, which storage cannot hold");
                assertThat(answer.path("errors").get(1).path("error").asText()).startsWith(
                        "features.city: contains an unpaired surrogate (U+D800) at position 3");
                assertThat(answer.path("errors").get(2).path("error").asText())
                        .startsWith("segments: a name contains a NUL character (U+0000)");
                assertThat(answer.path("errors").get(3).path("error").asText())
                        .startsWith("label: contains a NUL character (U+0000)");

                // every model keeps flushing, across a restart: the database took every commit
                for (int i = 1; i < 20; i++) {
                    assertThat(server.postJson(prediction("clean", "c" + i, "v1", ts)).status()).isEqualTo(200);
                }
                server = server.restart();
                assertThat(server.get("/api/v1/models/clean/summary").json().path("count").asLong()).isEqualTo(20);
                assertThat(server.get("/api/v1/models/poisoned/summary").json().path("count").asLong()).isEqualTo(1);
                TestServer.Response ready = server.get("/readyz");
                assertThat(ready.status()).isEqualTo(200);
                assertThat(ready.json().path("status").asText()).isEqualTo("ready");
            } finally {
                server.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql", "mariadb"})
    void aModelStorageRefusesIsRetriedParkedAndReplayedWhileOtherModelsKeepCommitting(String kind) throws Exception {
        long ts = System.currentTimeMillis() - 60_000;
        try (TestDatabase db = TestDatabase.create(kind)) {
            ServerConfig config = ConfigLoader.parse("log: {segment_bytes: 65536}\naggregation: {park_after: 3s}\n",
                    "test.yml").withDataDir(dir).withDb(db.url());
            FaultInjectingStore[] store = new FaultInjectingStore[1];
            TestServer server = TestServer.start(config, new RecordingExit(), s -> {
                store[0] = new FaultInjectingStore(s);
                store[0].refusedModel = "bad";
                return store[0];
            });
            TestServer first = server;
            try {
                assertThat(server.postJson(batch(Stream.concat(
                        Stream.iterate(0, i -> i + 1).limit(20).map(i -> prediction("good", "g" + i, "v1", ts)),
                        Stream.iterate(0, i -> i + 1).limit(10).map(i -> prediction("bad", "b" + i, "v1", ts)))))
                        .json().path("accepted").asInt()).isEqualTo(30);
                assertThat(server.postJson(batch(Stream.iterate(0, i -> i + 1).limit(10).map(i ->
                        "{\"type\":\"label\",\"model\":\"bad\",\"id\":\"b" + i + "\",\"label\":" + (i < 8 ? 1 : 0) + "}")))
                        .json().path("accepted").asInt()).isEqualTo(10);

                // the other model's counts are committed while storage refuses "bad"
                awaitTrue(() -> committed(store[0].real, "good") == 20);
                awaitTrue(() -> problems(first.get("/readyz").json()).stream().anyMatch(p -> p.startsWith("model bad: ")));
                TestServer.Response degraded = server.get("/readyz");
                assertThat(degraded.status()).isEqualTo(200);
                assertThat(degraded.json().path("status").asText()).isIn("degraded");
                assertThat(problems(degraded.json())).anySatisfy(p -> assertThat(p)
                        .startsWith("model bad: storage refuses its writes since").contains("0x00"));
                assertThat(server.get("/metrics").body()).contains("modelwatch_model_commit_failures_total{model=\"bad\"}");
                // queries still see the held model's counts (they are in memory)
                assertThat(server.get("/api/v1/models/bad/summary").json().path("count").asLong()).isEqualTo(10);

                // after park_after the held events are parked, the hold released, and the log truncated past them
                awaitTrue(() -> first.get("/api/v1/dead-letters").json().path("dead_letters").size() == 1);
                JsonNode entry = server.get("/api/v1/dead-letters").json().path("dead_letters").get(0);
                assertThat(entry.path("model").asText()).isEqualTo("bad");
                assertThat(entry.path("events").asLong()).isEqualTo(20);
                assertThat(entry.path("predictions").asLong()).isEqualTo(10);
                assertThat(entry.path("reason").asText()).contains("0x00");
                String id = entry.path("id").asText();
                assertThat(Files.readAllLines(dir.resolve("dead-letter").resolve(id + ".ndjson"))).hasSize(20)
                        .allSatisfy(line -> assertThat(line).contains("\"model\":\"bad\""));
                awaitTrue(() -> store[0].real.modelCheckpoints().isEmpty());
                // the counter moves just after the commit that released the hold: wait for it, then read it exactly
                TestServer parked = server;
                awaitTrue(() -> parked.get("/metrics").body().contains("modelwatch_dead_letter_events_total{model=\"bad\"}"));
                assertThat(server.get("/metrics").body()).contains("modelwatch_dead_letter_events_total{model=\"bad\"} 20.0");
                assertThat(problems(server.get("/readyz").json())).anySatisfy(p -> assertThat(p)
                        .startsWith("dead letter " + id + ": 20 events of model bad"));
                assertThat(cli("dead-letter", "list", "--data-dir", dir.toString())).contains(id).contains("bad");
                assertThat(cli("dead-letter", "show", id, "--data-dir", dir.toString())).contains("\"from_lsn\"")
                        .contains("\"id\":\"b9\"");

                // more traffic of the other model rolls the log over: nothing before the parked events is kept
                for (int r = 0; r < 3; r++) {
                    int round = r;
                    assertThat(server.postJson(batch(Stream.iterate(0, i -> i + 1).limit(150).map(i ->
                            prediction("good", "r" + round + "-" + i, "v1", ts)))).status()).isEqualTo(200);
                }
                awaitTrue(() -> committed(store[0].real, "good") == 470);
                awaitTrue(() -> firstLogSegment(dir) >= entry.path("to_lsn").asLong());

                // the cause is fixed: the replay counts the parked events once
                store[0].refusedModel = null;
                JsonNode replay = server.post("/api/v1/dead-letters/" + id + "/replay", "application/json",
                        "{}".getBytes(StandardCharsets.UTF_8)).json();
                assertThat(replay.path("accepted").asInt()).isEqualTo(20);
                assertThat(replay.path("rejected").asInt()).isEqualTo(0);
                assertThat(replay.path("entry").path("replayed_at").asText()).isNotEmpty();
                assertThat(server.post("/api/v1/dead-letters/" + id + "/replay", "application/json",
                        "{}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(409);
                awaitTrue(() -> committed(store[0].real, "bad") == 10);
                server = server.restart();
                JsonNode bad = server.get("/api/v1/models/bad/summary").json();
                assertThat(bad.path("count").asLong()).isEqualTo(10);
                assertThat(bad.path("labeled").asLong()).isEqualTo(10);
                assertThat(bad.path("accuracy").asDouble()).isEqualTo(0.8);
                assertThat(server.get("/api/v1/models/good/summary").json().path("count").asLong()).isEqualTo(470);
                assertThat(server.get("/readyz").json().path("status").asText()).isEqualTo("ready");
            } finally {
                server.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql", "mariadb"})
    void aHeldModelSurvivesARestartCountedOnceAndTheOthersAreNotCountedAgain(String kind) throws Exception {
        long ts = System.currentTimeMillis() - 60_000;
        try (TestDatabase db = TestDatabase.create(kind)) {
            ServerConfig config = ServerConfig.defaults().withDataDir(dir).withDb(db.url());
            FaultInjectingStore[] store = new FaultInjectingStore[1];
            TestServer server = TestServer.start(config, new RecordingExit(), s -> {
                store[0] = new FaultInjectingStore(s);
                store[0].refusedModel = "bad";
                return store[0];
            });
            try {
                assertThat(server.postJson(batch(Stream.concat(
                        Stream.iterate(0, i -> i + 1).limit(20).map(i -> prediction("good", "g" + i, "v1", ts)),
                        Stream.iterate(0, i -> i + 1).limit(10).map(i -> prediction("bad", "b" + i, "v1", ts)))))
                        .status()).isEqualTo(200);
                awaitTrue(() -> committed(store[0].real, "good") == 20
                        && store[0].real.modelCheckpoints().containsKey("bad"));
                assertThat(store[0].real.modelCheckpoints().get("bad").held()).isTrue();
                // a restart while "bad" is held: the log still has its events, the others are not counted again
                server = server.restart(s -> {
                    store[0] = new FaultInjectingStore(s);
                    return store[0];
                });
                awaitTrue(() -> committed(store[0].real, "bad") == 10);
                assertThat(committed(store[0].real, "good")).isEqualTo(20);
                assertThat(store[0].real.modelCheckpoints()).isEmpty();
                assertThat(server.get("/api/v1/models/bad/summary").json().path("count").asLong()).isEqualTo(10);
                assertThat(server.get("/api/v1/models/good/summary").json().path("count").asLong()).isEqualTo(20);
                // the labels of both join their predictions (the pending rows were rebuilt once)
                assertThat(server.postJson(batch(Stream.of("good", "bad").flatMap(m -> Stream.iterate(0, i -> i + 1)
                        .limit(10).map(i -> "{\"type\":\"label\",\"model\":\"" + m + "\",\"id\":\"" + m.charAt(0) + i
                                + "\",\"label\":1}")))).json().path("accepted").asInt()).isEqualTo(20);
                assertThat(server.get("/api/v1/models/bad/summary").json().path("labeled").asLong()).isEqualTo(10);
                assertThat(server.get("/api/v1/models/good/summary").json().path("labeled").asLong()).isEqualTo(10);
            } finally {
                server.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql", "mariadb"})
    void aNulEventAlreadyInTheLogIsDroppedAtReplayAndNoLongerBlocksAnyModel(String kind) {
        long ts = System.currentTimeMillis() - 60_000;
        // a log written by an earlier version, which acknowledged the poisoned event
        DurableLog log = DurableLog.open(dir.resolve("log"), 64L << 20, true, java.time.Clock.systemUTC());
        log.start((start, end, attachment) -> { }, null);
        byte[] body = batch(Stream.of(prediction("clean", "c0", "v1", ts), prediction("poisoned", "p0", "v\\u0000", ts),
                prediction("clean", "c1", "v1", ts))).getBytes(StandardCharsets.UTF_8);
        log.append(new LogRecord(ts, LogRecord.Format.JSON, false, new int[0], body).parts(), null).join();
        log.close();
        try (TestDatabase db = TestDatabase.create(kind);
             TestServer server = TestServer.start(ServerConfig.defaults().withDataDir(dir).withDb(db.url()))) {
            assertThat(server.get("/api/v1/models/clean/summary").json().path("count").asLong()).isEqualTo(2);
            assertThat(server.postJson(prediction("clean", "c2", "v1", ts)).status()).isEqualTo(200);
            server.server().awaitAggregated(java.time.Duration.ofSeconds(10));
            awaitTrue(() -> server.get("/readyz").json().path("status").asText().equals("ready"));
            assertThat(server.get("/api/v1/models/poisoned").status()).isEqualTo(404);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The count storage holds for a model (all versions, hourly windows). */
    static long committed(Store store, String model) {
        return store.profiles(model, null, ProfileKey.ALL, 3_600_000L, 0, Long.MAX_VALUE).stream()
                .mapToLong((StoredProfile p) -> p.profile().count()).sum();
    }

    private static long firstLogSegment(Path dataDir) {
        try (Stream<Path> files = Files.list(dataDir.resolve("log"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".log"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.length() - 4))).min().orElse(Long.MAX_VALUE);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String cli(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
