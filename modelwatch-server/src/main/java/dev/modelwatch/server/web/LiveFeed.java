package dev.modelwatch.server.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.training.TrainingRuns;
import dev.modelwatch.store.ModelRecord;
import io.javalin.http.sse.SseClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /api/v1/dashboard/events}: a server-sent event stream that tells an open dashboard
 * what changed, so that it reloads only then. A {@code change} event names the models whose data
 * changed (windows committed, late events or labels merged, a reference replaced) and whether any
 * alert changed (state, acknowledgement, silence), and the training runs that changed ({@code model/run}:
 * events applied, a problem found, a stall noticed). The stream runs on the request's own thread
 * and looks for changes every {@code pollMs}; it sends a comment when nothing happened for 15 s so
 * that proxies keep it open and a closed browser is noticed.
 */
final class LiveFeed {
    private static final long KEEP_ALIVE_MS = 15_000;

    /** What changed since the previous event. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Change(List<String> models, boolean alerts, List<String> runs) {
    }

    /** The first event of a stream. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Hello(long pollMs) {
    }

    private record State(Map<String, Long> sequences, List<String> alerts, Map<TrainingRuns.RunChange, Long> runs) {
    }

    private final DashboardSources sources;
    private final long pollMs;
    private final Object monitor = new Object();
    private volatile boolean closed;

    LiveFeed(DashboardSources sources, long pollMs) {
        this.sources = sources;
        this.pollMs = pollMs;
    }

    void serve(SseClient client) throws InterruptedException {
        client.sendEvent("hello", write(new Hello(pollMs)));
        State last = state();
        long quietMs = 0;
        while (!closed && !client.terminated()) {
            synchronized (monitor) {
                if (!closed) {
                    monitor.wait(pollMs);
                }
            }
            if (closed) {
                break;
            }
            State now = state();
            Change change = diff(last, now);
            last = now;
            try {
                if (change != null) {
                    client.sendEvent("change", write(change));
                    quietMs = 0;
                } else if ((quietMs += pollMs) >= KEEP_ALIVE_MS) {
                    client.sendComment("keep-alive");
                    quietMs = 0;
                }
            } catch (RuntimeException gone) {
                return; // the browser left or the server stops: the stream is over
            }
        }
    }

    /** Ends every stream (the server stops); browsers reconnect to the next server. */
    void close() {
        closed = true;
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    private State state() {
        Map<String, Long> sequences = new HashMap<>();
        for (ModelRecord m : sources.models().all()) {
            sequences.put(m.name(), sources.models().change(m.name()).sequence() ^ (m.predictionCount() << 20));
        }
        List<String> alerts = new ArrayList<>();
        long now = sources.clock().millis();
        dev.modelwatch.server.alert.silence.Silencer silencer = dev.modelwatch.server.alert.silence.Silencer.of(
                sources.alerts().silences().stream().filter(s -> s.endsAtMs() > now).toList());
        for (dev.modelwatch.server.alert.AlertView.Entry e : sources.alerts().alerts(null, null)) {
            dev.modelwatch.server.alert.lifecycle.AlertInstance a = e.alert();
            alerts.add(a.id() + "|" + a.state() + "|" + (a.acknowledgement() == null ? null : a.acknowledgement().by())
                    + "|" + silencer.mutingSilences(a.labels(), now).stream()
                    .map(dev.modelwatch.server.alert.silence.Silence::id).toList());
        }
        return new State(sequences, alerts, sources.runs().changeSequences());
    }

    private static Change diff(State before, State now) {
        List<String> models = new ArrayList<>();
        now.sequences().forEach((name, seq) -> {
            if (!Objects.equals(before.sequences().get(name), seq)) {
                models.add(name);
            }
        });
        models.sort(null);
        boolean alerts = !before.alerts().equals(now.alerts());
        List<String> runs = new ArrayList<>();
        now.runs().forEach((run, seq) -> {
            if (!Objects.equals(before.runs().get(run), seq)) {
                runs.add(run.model() + "/" + run.run());
            }
        });
        runs.sort(null);
        return models.isEmpty() && !alerts && runs.isEmpty() ? null : new Change(models, alerts, runs);
    }

    private static String write(Object value) {
        return new String(Json.bytes(value), java.nio.charset.StandardCharsets.UTF_8);
    }
}
