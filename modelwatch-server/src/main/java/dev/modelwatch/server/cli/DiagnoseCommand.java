package dev.modelwatch.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code modelwatch diagnose --model M --from T --to T [--onset T] [--alerts A,B] [--json]}: the diagnosis
 * of a past range, as {@code GET /api/v1/models/{model}/diagnosis} answers it, for post-mortems.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "Prints the probable causes of a model's trouble over a range, ranked, with their evidence and "
                + "suggested actions (docs/diagnosis.md). Exit code 1 when the server refuses or cannot be reached.")
final class DiagnoseCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--model", required = true, paramLabel = "M", description = "the model")
    String model;
    @Option(names = "--from", required = true, paramLabel = "T", description = "start: RFC 3339 or epoch milliseconds")
    String from;
    @Option(names = "--to", required = true, paramLabel = "T", description = "end: RFC 3339 or epoch milliseconds")
    String to;
    @Option(names = "--onset", paramLabel = "T", description = "when the trouble started (default: the middle of the range)")
    String onset;
    @Option(names = "--alerts", paramLabel = "NAME", split = ",",
            description = "the alert rules that raised the question, comma-separated: they weigh the causes as "
                    + "an incident's alerts do")
    List<String> alerts;
    @Option(names = "--json", description = "print the server's JSON answer as it is")
    boolean json;
    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "the server (default http://127.0.0.1:8080)")
    String server;
    @Option(names = "--token-env", paramLabel = "VAR", defaultValue = "MODELWATCH_TOKEN",
            description = "environment variable holding an API token, sent as a Bearer token when set "
                    + "(default MODELWATCH_TOKEN)")
    String tokenEnv;

    @Override
    public Integer call() {
        String query = "from=" + enc(from) + "&to=" + enc(to) + (onset == null ? "" : "&onset=" + enc(onset))
                + (alerts == null || alerts.isEmpty() ? "" : "&alerts=" + enc(String.join(",", alerts)));
        ServerClient client = new ServerClient(server, tokenEnv);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HttpResponse<String> r = client.send(client.request("/api/v1/models/" + enc(model) + "/diagnosis?" + query)
                .GET().build(), err).orElse(null);
        if (r == null) {
            return 1;
        }
        if (r.statusCode() != 200) {
            err.println("modelwatch: the server answered " + r.statusCode() + ": " + r.body());
            err.flush();
            return 1;
        }
        try {
            if (json) {
                out.println(r.body());
            } else {
                print(Json.MAPPER.readTree(r.body()), out);
            }
        } catch (IOException e) {
            err.println("modelwatch: the server's answer is not JSON: " + e.getMessage());
            err.flush();
            return 1;
        }
        out.flush();
        return 0;
    }

    private static String enc(String s) {
        return ServerClient.encode(s);
    }

    /** The diagnosis for people: the range, then each cause with its score, summary, named parts and actions. */
    static void print(JsonNode d, PrintWriter out) {
        out.printf("Diagnosis of %s from %s to %s, onset %s%n", d.path("model").asText(), d.path("from").asText(),
                d.path("to").asText(), d.path("onset").asText());
        double probable = d.path("probable_score").asDouble();
        JsonNode causes = d.path("causes");
        if (causes.isEmpty()) {
            out.println("No cause found: nothing in the range explains a change.");
            return;
        }
        int rank = 1;
        for (JsonNode c : causes) {
            double score = c.path("score").asDouble();
            out.printf(Locale.ROOT, "%n%d. %s  score %.2f%s%n", rank++, c.path("kind").asText(), score,
                    score >= probable ? "  (probable)" : "");
            for (String part : new String[] {"feature", "segment", "version"}) {
                if (c.hasNonNull(part)) {
                    out.printf("   %s: %s%n", part, c.path(part).asText());
                }
            }
            out.printf("   %s%n", c.path("summary").asText());
            out.printf("   evidence: %s%n", c.path("evidence").toString());
            for (JsonNode a : c.path("actions")) {
                out.printf("   -> %s: %s%n", a.path("action").asText(), a.path("reason").asText());
            }
            out.printf("   score: %s%n", c.path("score_method").asText());
        }
    }
}
