package dev.modelwatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.server.cli.Main;
import dev.modelwatch.server.config.ConfigException;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Health, readiness, the Prometheus endpoint, configuration and the command line. */
class OperationsTest {
    @TempDir
    Path dir;

    @Test
    void healthReadinessAndPrometheusMetricsAreServed() throws InterruptedException {
        try (TestServer server = TestServer.start(dir)) {
            assertThat(server.get("/healthz").json().path("status").asText()).isEqualTo("ok");
            TestServer.Response ready = server.get("/readyz");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().path("storage").asText()).isEqualTo("reachable");

            long now = System.currentTimeMillis();
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 10; i++) {
                body.append(i == 0 ? "" : ",").append("{\"type\":\"prediction\",\"model\":\"ops\",\"version\":\"v3\",\"id\":\"o")
                        .append(i).append("\",\"timestamp\":").append(now - 1000).append(",\"prediction\":1,\"score\":0.8,")
                        .append("\"latency_ms\":").append(10 + i).append("}");
                body.append(",{\"type\":\"label\",\"model\":\"ops\",\"id\":\"o").append(i).append("\",\"label\":")
                        .append(i < 7 ? 1 : 0).append("}");
            }
            body.append(",{\"type\":\"prediction\",\"model\":\"ops\",\"latency_ms\":-1,\"prediction\":1}]");
            assertThat(server.postJson(body.toString()).json().path("accepted").asInt()).isEqualTo(20);
            // /metrics reports what is aggregated (a scrape does not wait for the aggregator)
            server.server().awaitAggregated(java.time.Duration.ofSeconds(10));

            TestServer.Response metrics = server.get("/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            String text = metrics.body();
            assertThat(text).contains("modelwatch_ingest_events_total{outcome=\"accepted\"} 20.0");
            assertThat(text).contains("modelwatch_ingest_events_total{outcome=\"rejected\"} 1.0");
            assertThat(text).contains("modelwatch_ingest_request_duration_seconds_bucket");
            assertThat(text).contains("modelwatch_log_fsync_duration_seconds_count");
            // read in process as well (the ingest benchmark counts what is aggregated in its interval)
            assertThat(server.server().queuedEvents()).isZero();
            assertThat(text).contains("modelwatch_aggregated_events_total " + server.server().aggregatedEvents() + ".0");
            assertThat(server.server().aggregatedEvents()).isEqualTo(20);
            // 7 of 10 labels agree with the prediction 1
            assertThat(text).contains("modelwatch_model_accuracy{model=\"ops\",version=\"v3\"} 0.7");
            assertThat(text).contains("modelwatch_model_count{model=\"ops\",version=\"v3\"} 10.0");
            assertThat(text).contains("modelwatch_model_latency_max_ms{model=\"ops\",version=\"v3\"} 19.0");
        }
    }

    @Test
    void aConfigurationFileWithSeveralProblemsReportsThemAllWithTheirKeysAndLines() {
        String yaml = """
                server:
                  port: eighty
                  colour: blue
                ingest:
                  max_future_skew: soon
                models:
                  fraud: {task: clustering, window: 7m}
                  "bad name": {task: regression}
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "modelwatch.yml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "line 3: server.colour: unknown key; expected one of [auth, bind, data_dir, db, external_url, insecure_no_auth, port, shutdown_grace, tls]",
                        "line 2: server.port: must be an integer, got 'eighty'",
                        "line 5: ingest.max_future_skew: 'soon' is not a duration like 500ms, 10s, 1m, 2h, 7d",
                        "line 7: models.fraud.task: unknown task 'clustering'; expected one of binary_classification, "
                                + "multiclass_classification, regression",
                        "line 8: models.bad name: model name must match [A-Za-z0-9_.-]{1,128}"));
    }

    @Test
    void aValidConfigurationFileIsRead() {
        ServerConfig c = ConfigLoader.parse("""
                server: {port: 9090, data_dir: /tmp/mw}
                aggregation: {flush_interval: 500ms, sketch: {kll_k: 400}}
                labels: {join_horizon: 2d}
                models:
                  fraud: {task: binary_classification, positive_class: 1, window: 10s}
                """, "test");
        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.flushInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.sketches().kllK()).isEqualTo(400);
        assertThat(c.joinHorizon()).isEqualTo(Duration.ofDays(2));
        assertThat(c.models().get("fraud").windowMs()).isEqualTo(10_000);
        assertThat(c.models().get("fraud").positiveClass()).isEqualTo("1");
        assertThat(ConfigLoader.parse("", "empty")).isEqualTo(ServerConfig.defaults());
    }

    @Test
    void everyAlertingProblemIsReportedAtOnceWithItsPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                alerting: {evaluation_interval: 10ms}
                rules:
                  - alert: Drop
                    expr: accuracy{model="fraud"} <
                  - alert: Drop
                    expr: avg_over_tim(accuracy[5m]) < 0.9
                    for: soon
                route:
                  receiver: nobody
                  group_wait: 10x
                receivers:
                  - name: ops
                """, "x.yml"))
                .hasMessageContaining("line 1: alerting.evaluation_interval: must be at least 100ms")
                .hasMessageContaining("line 4: rules[0].expr:")
                .hasMessageContaining("line 6: rules[1].expr:").hasMessageContaining("did you mean avg_over_time?")
                .hasMessageContaining("line 7: rules[1].for:")
                .hasMessageContaining("route.receiver:").hasMessageContaining("nobody")
                .hasMessageContaining("line 10: route.group_wait:");
    }

    @Test
    void alertingSectionsBecomeRulesRoutesAndReceivers() {
        ServerConfig c = ConfigLoader.parse("""
                rules:
                  - alert: Drop
                    expr: accuracy{model="fraud"} < 0.9
                    for: 2m
                route: {receiver: ops, group_by: [model]}
                receivers: [{name: ops}]
                """, "x.yml");
        assertThat(c.alerting().rules()).extracting(r -> r.name()).contains("Drop", "ModelAccuracyDrop");
        assertThat(c.alerting().rules()).filteredOn(r -> r.name().equals("Drop")).singleElement()
                .satisfies(r -> assertThat(r.forMs()).isEqualTo(120_000));
        assertThat(c.alerting().receivers()).containsOnlyKeys("ops");
        assertThat(c.alerting().route()).isNotNull();
    }

    @Test
    void unknownFlagsAreAnErrorWithAUsageLineAndExitCodeTwo() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("serve", "--colour", "blue")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option").contains("--colour").contains("Usage: modelwatch serve");
        assertThat(Main.commandLine().setErr(new PrintWriter(new StringWriter())).execute("fly")).isEqualTo(2);
        StringWriter out = new StringWriter();
        CommandLine help = Main.commandLine();
        help.setOut(new PrintWriter(out));
        assertThat(help.execute("serve", "--help")).isZero();
        assertThat(out.toString()).contains("--data-dir").contains("--db");
    }

    @Test
    void rulesCheckValidatesARuleFileWithLinesAndExitCode() throws Exception {
        Path good = dir.resolve("good.yml");
        java.nio.file.Files.writeString(good, """
                groups:
                  - name: models
                    rules:
                      - alert: AccuracyDrop
                        expr: accuracy{model="fraud"} < 0.9
                        for: 5m
                """);
        Path bad = dir.resolve("bad.yml");
        java.nio.file.Files.writeString(bad, """
                groups:
                  - name: models
                    rules:
                      - alert: AccuracyDrop
                        expr: accuracy{model="fraud"} <
                        for: 5m
                """);
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(captured, true));
            System.setErr(new java.io.PrintStream(captured, true));
            assertThat(Main.commandLine().execute("rules", "check", good.toString())).isZero();
            assertThat(Main.commandLine().execute("rules", "check", bad.toString())).isEqualTo(1);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(captured.toString()).contains("good.yml: OK, 1 rule(s) in 1 group(s)")
                .contains("line 5: groups[0].rules[0].expr:");
    }

    @Test
    void alertTestSendsATestNotificationThroughEachIntegrationOfTheReceiver() throws Exception {
        java.util.List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.start();
        try {
            Path config = dir.resolve("modelwatch.yml");
            java.nio.file.Files.writeString(config, """
                    route: {receiver: ops}
                    receivers:
                      - name: ops
                        webhook_configs: [{url: "http://127.0.0.1:%d/hook"}, {url: "http://127.0.0.1:%d/missing"}]
                    """.formatted(hook.getAddress().getPort(), hook.getAddress().getPort()));
            java.io.PrintStream out = System.out;
            java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
            int code;
            try {
                System.setOut(new java.io.PrintStream(captured, true));
                code = Main.commandLine().execute("alert", "test", "--receiver", "ops", "--config", config.toString());
            } finally {
                System.setOut(out);
            }
            assertThat(code).isEqualTo(1);
            assertThat(captured.toString()).contains("ops webhook[0]: delivered").contains("ops webhook[1]: failed: HTTP 404");
            assertThat(bodies).hasSize(1);
            assertThat(bodies.get(0)).contains("\"alertname\":\"ModelWatchTest\"");
        } finally {
            hook.stop(0);
        }
    }
}
