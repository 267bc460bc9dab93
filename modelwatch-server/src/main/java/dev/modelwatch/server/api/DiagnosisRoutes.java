package dev.modelwatch.server.api;

import dev.modelwatch.server.diagnosis.ProfileDiagnoser;
import dev.modelwatch.server.diagnosis.Cause;
import dev.modelwatch.server.diagnosis.DiagnosisRequest;
import dev.modelwatch.server.diagnosis.Diagnosis;
import dev.modelwatch.server.diagnosis.Diagnoser;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.modelwatch.server.api.ApiException;
import dev.modelwatch.server.api.RouteSet;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.time.Times;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/models/{model}/diagnosis?from=&to=[&onset=][&run=][&alerts=]}: the probable causes
 * of a model's trouble over a range, ranked (docs/diagnosis.md). {@code to} defaults to now, {@code from}
 * to a day before {@code to}, {@code onset} to the middle of the range; {@code run} names a training
 * run the question is about (its detected problems become a cause); {@code alerts} names the alert
 * rules that raised the question (comma-separated), which weigh the causes as they do an incident's.
 */
public final class DiagnosisRoutes implements RouteSet {
    private static final long DEFAULT_RANGE_MS = 86_400_000L;

    private final Diagnoser diagnoser;
    private final Clock clock;
    private final Supplier<Set<String>> ruleNames;

    /**
     * @param ruleNames the names of the alert rules the server evaluates now: those {@code alerts} may name
     */
    public DiagnosisRoutes(Diagnoser diagnoser, Clock clock, Supplier<Set<String>> ruleNames) {
        this.diagnoser = diagnoser;
        this.clock = clock;
        this.ruleNames = ruleNames;
    }

    /**
     * The answer: the range, the onset compared around, the causes best first, and the score from
     * which a cause is called probable.
     */
    public record DiagnosisAnswer(String model, String from, String to, String onset, double probableScore,
                                  List<Cause> causes, String computedAt) {
        static DiagnosisAnswer of(Diagnosis d) {
            return new DiagnosisAnswer(d.model(), d.from().toString(), d.to().toString(), d.onset().toString(),
                    ProfileDiagnoser.PROBABLE, d.causes(), d.computedAt().toString());
        }
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.get("/api/v1/models/{model}/diagnosis", this::diagnosis, Access.READ);
    }

    private void diagnosis(Context ctx) {
        String model = ctx.pathParam("model");
        if (!model.matches("[A-Za-z0-9_.-]{1,128}")) {
            throw new ApiException(400, "model: '" + abbreviate(model) + "' is not a model name ([A-Za-z0-9_.-]{1,128})");
        }
        long to = ctx.queryParam("to") == null ? clock.millis() : time("to", ctx.queryParam("to"));
        long from = ctx.queryParam("from") == null ? to - DEFAULT_RANGE_MS : time("from", ctx.queryParam("from"));
        if (from >= to) {
            throw new ApiException(400, "from must be before to");
        }
        long onset = ctx.queryParam("onset") == null ? from + (to - from) / 2 : time("onset", ctx.queryParam("onset"));
        if (onset < from || onset >= to) {
            throw new ApiException(400, "onset: must be within [from, to), was " + Times.format(onset));
        }
        String run = ctx.queryParam("run");
        if (run != null && (run.isBlank() || run.length() > 256)) {
            throw new ApiException(400, "run: must be a training run's name of 1 to 256 characters");
        }
        List<String> alerts = alerts(ctx.queryParam("alerts"));
        Diagnosis d;
        try {
            d = diagnoser.diagnose(new DiagnosisRequest(model, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to),
                    Instant.ofEpochMilli(onset), alerts, run));
        } catch (NoSuchElementException e) {
            throw new ApiException(404, e.getMessage());
        }
        try {
            ctx.status(200);
            ctx.contentType("application/json");
            ctx.result(Json.MAPPER.writeValueAsBytes(DiagnosisAnswer.of(d)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The alert rules named by {@code alerts} (comma-separated, each a rule the server evaluates); none when absent. */
    private List<String> alerts(String value) {
        if (value == null) {
            return List.of();
        }
        Set<String> known = ruleNames.get();
        List<String> names = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new ApiException(400, "alerts: an empty alert name in '" + abbreviate(value)
                        + "' (comma-separated alert rule names, e.g. alerts=ModelFeatureDrift,ModelLatencyP99High)");
            }
            if (!known.contains(name)) {
                throw new ApiException(400, "alerts: '" + abbreviate(name) + "' is not the name of an alert rule of "
                        + "this server (" + known.size() + " rules; GET /api/v1/rules lists them)");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private static long time(String name, String value) {
        try {
            return Times.parse(name, value);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
