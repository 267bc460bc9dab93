package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drift through HTTP: a labelled reference is uploaded, then traffic arrives with a shifted feature,
 * a flipped correlation, a new category and a missing-rate jump; the drift answer and the drift
 * series must say exactly that, and estimate the accuracy that the labels later show.
 */
class DriftEndToEndTest {
    @RegisterExtension
    final ServerFixture fixture = ServerFixture.defaults();

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** One row of the model's world: amount, x1, x2 (correlated with sign rho), country; a calibrated score and a label. */
    private record Row(double amount, double x1, double x2, String country, double score, int label) {
    }

    private static List<Row> rows(int n, long seed, double amountShift, double rho, double newCountryShare) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> out = new ArrayList<>();
        String[] countries = {"DE", "FR", "US"};
        for (int i = 0; i < n; i++) {
            double amount = 100 + 20 * gaussian(r) + 20 * amountShift;
            double x1 = gaussian(r);
            double x2 = rho * x1 + Math.sqrt(1 - rho * rho) * gaussian(r);
            String country = r.nextDouble() < newCountryShare ? "ZZ" : countries[r.nextInt(3)];
            double p = sigmoid(0.08 * (amount - 100) + 0.5 * x1);
            out.add(new Row(amount, x1, x2, country, p, r.nextDouble() < p ? 1 : 0));
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    @Test
    void uploadedReferenceDriveTheDriftAnswerAndTheEstimatedAccuracy(TestServer server) throws Exception {
        long minute = 60_000;
        long start = Math.floorDiv(System.currentTimeMillis() - 30 * minute, minute) * minute;
        server.put("/api/v1/models/fraud", "{\"task\":\"binary_classification\",\"window\":\"1m\"}");

        StringBuilder ref = new StringBuilder("{\"feature_importances\":{\"amount\":3,\"x1\":1,\"x2\":1,\"country\":1},\"rows\":[");
        List<Row> reference = rows(6_000, 1, 0, 0.8, 0);
        for (int i = 0; i < reference.size(); i++) {
            Row w = reference.get(i);
            ref.append(i == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT,
                    "{\"features\":{\"amount\":%.4f,\"x1\":%.5f,\"x2\":%.5f,\"country\":\"%s\",\"tenure\":%d},"
                            + "\"score\":%.6f,\"prediction\":%d,\"label\":%d}",
                    w.amount(), w.x1(), w.x2(), w.country(), i % 50, w.score(), w.score() >= 0.5 ? 1 : 0, w.label()));
        }
        ref.append("]}");
        TestServer.Response up = server.put("/api/v1/models/fraud/reference", "application/json",
                TestServer.gzip(ref.toString().getBytes(StandardCharsets.UTF_8)), "Content-Encoding", "gzip");
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        assertThat(up.json().path("accepted").asLong()).isEqualTo(6_000);
        assertThat(up.json().path("calibrated").asBoolean()).isTrue();
        assertThat(up.json().path("multivariate_features").toString()).contains("amount", "x1", "x2");

        // current traffic: amount +1 sd, the x1/x2 correlation flipped, 5% of a new country, tenure half missing
        List<Row> current = rows(6_000, 2, 1.0, -0.8, 0.05);
        StringBuilder body = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < current.size(); i++) {
            Row w = current.get(i);
            body.append(String.format(java.util.Locale.ROOT,
                    "{\"type\":\"prediction\",\"model\":\"fraud\",\"id\":\"p%d\",\"timestamp\":%d,"
                            + "\"features\":{\"amount\":%.4f,\"x1\":%.5f,\"x2\":%.5f,\"country\":\"%s\",\"tenure\":%s},"
                            + "\"score\":%.6f,\"prediction\":%d}\n",
                    i, start + i * 3L, w.amount(), w.x1(), w.x2(), w.country(), i % 2 == 0 ? "null" : String.valueOf(i % 50),
                    w.score(), w.score() >= 0.5 ? 1 : 0));
            labels.append(String.format("{\"type\":\"label\",\"model\":\"fraud\",\"id\":\"p%d\",\"label\":%d}\n", i,
                    w.label()));
        }
        assertThat(server.post("/api/v1/events", "application/x-ndjson", body.toString().getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(200);

        String range = "from=" + start + "&to=" + (start + 20 * minute);
        JsonNode drift = server.get("/api/v1/models/fraud/drift?" + range).json();
        assertThat(drift.path("reference").path("source").asText()).isEqualTo("upload");
        assertThat(drift.path("events").asLong()).isEqualTo(6_000);
        JsonNode features = drift.path("features");
        assertThat(features.path("amount").path("drifted").asBoolean()).as(features.toString()).isTrue();
        assertThat(features.path("amount").path("method").asText()).isEqualTo("wasserstein");
        assertThat(features.path("x1").path("drifted").asBoolean()).as(features.path("x1").toString()).isFalse();
        assertThat(features.path("x2").path("drifted").asBoolean()).as(features.path("x2").toString()).isFalse();
        assertThat(features.path("country").path("drifted").asBoolean()).isTrue();
        assertThat(features.path("country").path("new_values").toString()).contains("ZZ");
        // the features are tested together: Benjamini-Hochberg over the 5 with a p-value
        assertThat(drift.path("multiple_testing").path("method").asText()).isEqualTo("benjamini_hochberg");
        assertThat(drift.path("multiple_testing").path("tests").asInt()).isEqualTo(5);
        assertThat(drift.path("multiple_testing").path("significant").asInt()).isGreaterThanOrEqualTo(2);
        JsonNode amount = features.path("amount");
        assertThat(amount.path("adjusted_p_value").asDouble()).isLessThanOrEqualTo(0.01)
                .isGreaterThanOrEqualTo(amount.path("p_value").asDouble());
        assertThat(amount.path("significance_level").asDouble()).isPositive();
        assertThat(drift.path("multivariate").path("drifted").asBoolean()).as(drift.path("multivariate").toString())
                .isTrue();
        assertThat(drift.path("drift_share").path("share").asDouble()).isCloseTo(2.0 / 5, within(1e-9));
        // amount (3) and country (1) of weights 3+1+1+1+0 (tenure has none)
        assertThat(drift.path("drift_share").path("weighted_share").asDouble()).isCloseTo(4.0 / 6, within(1e-9));

        Map<String, String> issues = new HashMap<>();
        drift.path("data_quality").forEach(i -> issues.put(i.path("feature").asText() + "/" + i.path("issue").asText(),
                i.path("message").asText()));
        assertThat(issues).containsKey("country/new_category").containsKey("tenure/missing_rate");
        assertThat(drift.path("output").path("score").path("drifted").asBoolean()).isTrue();

        JsonNode est = drift.path("estimated_performance");
        assertThat(est.path("calibration").asText()).startsWith("isotonic");
        double estimated = est.path("metrics").path("accuracy").path("value").asDouble();
        double realizedFromScores = realizedAccuracy(current);
        assertThat(estimated).isCloseTo(realizedFromScores, within(0.02));

        // labels arrive: the realized accuracy appears next to the estimate, inside its band
        assertThat(server.post("/api/v1/events", "application/x-ndjson", labels.toString().getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(200);
        JsonNode after = server.get("/api/v1/models/fraud/drift?" + range).json().path("estimated_performance");
        JsonNode acc = after.path("metrics").path("accuracy");
        assertThat(acc.path("realized").asDouble()).isCloseTo(realizedFromScores, within(1e-12));
        assertThat(acc.path("realized").asDouble()).isBetween(acc.path("lower").asDouble(), acc.path("upper").asDouble());
        assertThat(after.path("labeled").asLong()).isEqualTo(6_000);

        // the same numbers as series that rules can alert on, one point per 10 minutes
        JsonNode series = server.get("/api/v1/models/fraud/metrics?names=drift_share,drift_detected,estimated_accuracy,"
                + "multivariate_drift_detected,new_category_share,missing_rate&step=10m&" + range).json();
        Map<String, Double> first = new HashMap<>();
        series.path("series").forEach(s -> first.put(s.path("name").asText() + s.path("labels").toString(),
                s.path("points").get(0).get(1).asDouble()));
        assertThat(first).containsEntry("drift_detected{\"feature\":\"amount\"}", 1.0)
                .containsEntry("drift_detected{\"feature\":\"x1\"}", 0.0)
                .containsEntry("multivariate_drift_detected{}", 1.0)
                .containsKey("drift_share{}").containsKey("estimated_accuracy{}")
                .containsEntry("missing_rate{\"feature\":\"tenure\"}", 0.5);
        assertThat(first.get("new_category_share{\"feature\":\"country\"}")).isCloseTo(0.05, within(0.02));

        // a reference can be listed, replaced and deleted; an upload without valid rows keeps the old one
        TestServer.Response bad = server.put("/api/v1/models/fraud/reference", "text/csv",
                "amount,score\n1,high\n".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").get(0).path("error").asText()).isEqualTo("score: must be a number, got 'high'");
        assertThat(server.get("/api/v1/models/fraud/reference").json().path("references").get(0).path("rows").asLong())
                .isEqualTo(6_000);
        assertThat(server.delete("/api/v1/models/fraud/reference").status()).isEqualTo(204);
        JsonNode baseline = server.get("/api/v1/models/fraud/drift?" + range).json();
        assertThat(baseline.path("reference").path("source").asText()).isEqualTo("baseline");
        assertThat(baseline.path("reference").path("rows").asLong()).isEqualTo(6_000);
    }

    @Test
    void csvReferenceWithoutDriftFlagsNothing(TestServer server) {
        long minute = 60_000;
        long start = Math.floorDiv(System.currentTimeMillis() - 30 * minute, minute) * minute;
        server.put("/api/v1/models/steady", "{\"task\":\"binary_classification\",\"window\":\"1m\"}");
        StringBuilder csv = new StringBuilder("amount,x1,x2,country,score,label\n");
        for (Row w : rows(5_000, 3, 0, 0.8, 0)) {
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.5f,%.5f,%s,%.6f,%d%n", w.amount(), w.x1(), w.x2(),
                    w.country(), w.score(), w.label()));
        }
        TestServer.Response up = server.put("/api/v1/models/steady/reference?version=v1", "text/csv",
                csv.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        StringBuilder body = new StringBuilder();
        List<Row> current = rows(5_000, 4, 0, 0.8, 0);
        for (int i = 0; i < current.size(); i++) {
            Row w = current.get(i);
            body.append(String.format(java.util.Locale.ROOT,
                    "{\"type\":\"prediction\",\"model\":\"steady\",\"version\":\"v1\",\"timestamp\":%d,"
                            + "\"features\":{\"amount\":%.4f,\"x1\":%.5f,\"x2\":%.5f,\"country\":\"%s\"},\"score\":%.6f}\n",
                    start + i * 3L, w.amount(), w.x1(), w.x2(), w.country(), w.score()));
        }
        assertThat(server.post("/api/v1/events", "application/x-ndjson", body.toString().getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(200);
        JsonNode drift = server.get("/api/v1/models/steady/drift?version=v1&from=" + start + "&to="
                + (start + 20 * minute)).json();
        assertThat(drift.path("reference").path("version").asText()).isEqualTo("v1");
        assertThat(drift.path("drift_share").path("drifted").asInt()).as(drift.toString()).isZero();
        assertThat(drift.path("multivariate").path("drifted").asBoolean()).as(drift.path("multivariate").toString()).isFalse();
        assertThat(drift.path("data_quality").size()).as(drift.path("data_quality").toString()).isZero();
    }

    /** The accuracy the sampled labels give, computed here from the rows. */
    private static double realizedAccuracy(List<Row> rows) {
        long correct = 0;
        for (Row w : rows) {
            if ((w.score() >= 0.5 ? 1 : 0) == w.label()) {
                correct++;
            }
        }
        return (double) correct / rows.size();
    }
}
