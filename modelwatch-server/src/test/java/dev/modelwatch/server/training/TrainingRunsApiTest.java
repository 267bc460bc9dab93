package dev.modelwatch.server.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.ServerFixture;
import dev.modelwatch.server.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Training runs over real HTTP: ingest, the runs API, per-event errors, resumes and a restart. */
class TrainingRunsApiTest {
    @RegisterExtension
    final ServerFixture fixture = ServerFixture.defaults();

    private static String step(String model, String run, Object step, String metrics) {
        return "{\"type\":\"training\",\"model\":\"" + model + "\",\"run\":\"" + run + "\",\"step\":" + step
                + ",\"metrics\":{" + metrics + "}}";
    }

    private static String steps(String model, String run, int from, int to) {
        List<String> events = new ArrayList<>();
        for (int s = from; s < to; s++) {
            events.add(step(model, run, s, "\"loss\":" + (2.0 / (1 + s / 50.0)) + ",\"lr\":0.001"));
        }
        return "[" + String.join(",", events) + "]";
    }

    @Test
    void runIsListedWithItsCurveResumeAndNaNAndSurvivesARestart(TestServer server) throws Exception {
        assertThat(server.postJson(steps("mlp", "r1", 0, 300)).json().path("accepted").asInt()).isEqualTo(300);
        // back to the checkpoint of step 200: a resume, not an error
        assertThat(server.postJson(steps("mlp", "r1", 200, 250)).json().path("accepted").asInt()).isEqualTo(50);
        assertThat(server.postJson(step("mlp", "r1", 250, "\"loss\":NaN")).json().path("accepted").asInt()).isEqualTo(1);
        server.postJson(steps("other", "r2", 0, 10));

        JsonNode list = server.get("/api/v1/runs?model=mlp").json();
        assertThat(list.path("runs")).hasSize(1);
        assertThat(list.path("runs").get(0).path("run").asText()).isEqualTo("r1");
        assertThat(list.path("runs").get(0).path("status").asText()).isEqualTo("running");
        assertThat(server.get("/api/v1/runs").json().path("runs")).hasSize(2);

        JsonNode run = server.get("/api/v1/runs/r1").json();
        assertThat(run.path("model").asText()).isEqualTo("mlp");
        assertThat(run.path("last_step").asLong()).isEqualTo(250);
        JsonNode loss = run.path("metrics").path("loss");
        assertThat(loss).hasSize(251);
        assertThat(loss.get(0).get(0).asLong()).isZero();
        assertThat(loss.get(0).get(1).asDouble()).isEqualTo(2.0);
        assertThat(loss.get(250).get(1).asText()).isEqualTo("NaN");
        assertThat(run.path("series").path("loss").path("buckets").get(250).path("nan").asInt()).isEqualTo(1);
        assertThat(run.path("resumes")).hasSize(1);
        assertThat(run.path("resumes").get(0).path("from_step").asLong()).isEqualTo(299);
        assertThat(run.path("resumes").get(0).path("to_step").asLong()).isEqualTo(200);
        assertThat(run.path("problems")).hasSize(1);
        assertThat(run.path("problems").get(0).path("kind").asText()).isEqualTo("nan_loss");
        assertThat(run.path("problems").get(0).path("severity").asText()).isEqualTo("critical");
        assertThat(run.path("problems").get(0).path("step").asLong()).isEqualTo(250);
        assertThat(run.path("problems").get(0).path("message").asText()).contains("loss is NaN at step 250");

        JsonNode only = server.get("/api/v1/runs/r1?metrics=lr").json();
        assertThat(only.path("metrics").has("loss")).isFalse();
        assertThat(only.path("metrics").path("lr")).hasSize(250); // the NaN step sent no lr

        JsonNode compare = server.get("/api/v1/runs/r1/compare/r2?metric=loss&other_model=other").json();
        assertThat(compare.path("points")).hasSize(251);
        assertThat(compare.path("points").get(5).get(2).asDouble()).isEqualTo(2.0 / 1.1);
        assertThat(compare.path("points").get(50).get(2).isNull()).isTrue();

        server = fixture.restart();
        JsonNode again = server.get("/api/v1/runs/r1?model=mlp").json();
        assertThat(again.path("events").asLong()).isEqualTo(351);
        assertThat(again.path("metrics").path("loss")).hasSize(251);
        assertThat(again.path("problems")).hasSize(1);
        server.postJson(steps("mlp", "r1", 251, 260));
        assertThat(server.get("/api/v1/runs/r1").json().path("metrics").path("loss")).hasSize(260);
    }

    @Test
    void eachBucketKeepsTheTimeOfItsLastStepAcrossARestart(TestServer server) throws Exception {
        long t0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
        List<String> events = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            events.add("{\"type\":\"training\",\"model\":\"mlp\",\"run\":\"timed\",\"step\":" + s
                    + ",\"timestamp\":" + (t0 + s * 1_500L) + ",\"metrics\":{\"loss\":" + (s == 2 ? "NaN" : "0.5") + "}}");
        }
        assertThat(server.postJson("[" + String.join(",", events) + "]").json().path("accepted").asInt()).isEqualTo(3);
        String raw = server.get("/api/v1/runs/timed").body();
        // the curve's points stay [step, value] pairs, a NaN written as the string "NaN"
        assertThat(raw).contains("\"metrics\":{\"loss\":[[0,0.5],[1,0.5],[2,\"NaN\"]]}");
        for (int restarted = 0; restarted < 2; restarted++) {
            TestServer s = restarted == 0 ? server : fixture.restart();
            JsonNode buckets = s.get("/api/v1/runs/timed").json().path("series").path("loss").path("buckets");
            assertThat(buckets).hasSize(3);
            assertThat(buckets.get(0).path("at").asText()).isEqualTo("2026-01-01T00:00:00Z");
            assertThat(buckets.get(1).path("at").asText()).isEqualTo("2026-01-01T00:00:01.500Z");
            assertThat(buckets.get(2).path("at").asText()).isEqualTo("2026-01-01T00:00:03Z");
            assertThat(s.get("/api/v1/runs/timed").json().path("problems").get(0).path("at_ms").asLong())
                    .isEqualTo(t0 + 3_000);
        }
    }

    @Test
    void badTrainingEventsAreRejectedOneByOneAndTheRestKept(TestServer server) {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            many.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":1");
        }
        String body = "[" + step("mlp", "ok", 0, "\"loss\":1") + ","
                + step("mlp", "bad", -1, "\"loss\":1") + ","
                + step("mlp", "bad", 1.5, "\"loss\":1") + ","
                + step("mlp", "x".repeat(10_240), 1, "\"loss\":1") + ","
                + step("mlp", "bad", 2, many.toString()) + ","
                + step("mlp", "ok", 1, "\"loss\":0.9") + "]";
        JsonNode answer = server.postJson(body).json();
        assertThat(answer.path("accepted").asInt()).isEqualTo(2);
        assertThat(answer.path("rejected").asInt()).isEqualTo(4);
        JsonNode errors = answer.path("errors");
        assertThat(errors.get(0).path("index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).path("error").asText()).startsWith("step:").contains("-1");
        assertThat(errors.get(1).path("index").asInt()).isEqualTo(2);
        assertThat(errors.get(1).path("error").asText()).startsWith("step:").contains("1.5");
        assertThat(errors.get(2).path("index").asInt()).isEqualTo(3);
        assertThat(errors.get(2).path("error").asText()).startsWith("run:").contains("256");
        assertThat(errors.get(3).path("index").asInt()).isEqualTo(4);
        assertThat(errors.get(3).path("error").asText()).startsWith("metrics:");
        assertThat(server.get("/api/v1/runs").json().path("runs")).hasSize(1);
        assertThat(server.get("/api/v1/runs/ok").json().path("metrics").path("loss")).hasSize(2);

        TestServer.Response unknown = server.get("/api/v1/runs/nope");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("unknown training run 'nope'");
        server.postJson(step("other", "ok", 0, "\"loss\":1"));
        TestServer.Response ambiguous = server.get("/api/v1/runs/ok");
        assertThat(ambiguous.status()).isEqualTo(400);
        assertThat(ambiguous.json().path("error").asText()).contains("mlp, other");
        assertThat(server.get("/api/v1/runs/r1/compare/r2").status()).isEqualTo(400);
    }
}
