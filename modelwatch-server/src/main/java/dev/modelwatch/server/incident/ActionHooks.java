package dev.modelwatch.server.incident;

import dev.modelwatch.server.alert.notify.HttpDelivery;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.notify.Redactor;
import dev.modelwatch.server.alert.notify.RetryDecision;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Runs the hook of a remediation action with the incident as JSON, trying again by the
 * {@link RetryPolicy} (the notifications' policy): a webhook is POSTed the JSON (2xx is success; the
 * same {@code Idempotency-Key} header on every attempt); a command is started without a shell, given
 * the JSON on its standard input, and must exit 0 within its timeout (it is killed after).
 *
 * <p>Attempts run on {@code threads}; the wait before a retry is scheduled on {@code scheduler}.
 */
public final class ActionHooks implements ActionRunner {
    /** How much of a command's output (standard output and error together) an outcome quotes. */
    static final int QUOTED_OUTPUT_BYTES = 2048;

    /** How a hook's run ended. */
    public record Outcome(boolean succeeded, int attempts, String detail) {
    }

    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Executor threads;
    private final Clock clock;
    private final RandomGenerator random;
    private final RetryPolicy retry;

    /**
     * @param threads runs attempts, and reads a command's output while it runs (two tasks at once per command)
     */
    public ActionHooks(HttpClient http, ScheduledExecutorService scheduler, Executor threads, Clock clock,
                       RandomGenerator random, RetryPolicy retry) {
        this.http = http;
        this.scheduler = scheduler;
        this.threads = threads;
        this.clock = clock;
        this.random = random;
        this.retry = retry;
    }

    /** Runs {@code hook} with {@code json}, on the hook threads; {@code done} is told the outcome once. */
    @Override
    public void run(ActionConfig.Hook hook, String idempotencyKey, byte[] json, Consumer<Outcome> done) {
        threads.execute(() -> attempt(hook, idempotencyKey, json, 1, clock.millis(), done));
    }

    private void attempt(ActionConfig.Hook hook, String key, byte[] json, int n, long firstAtMs, Consumer<Outcome> done) {
        Attempt a;
        try {
            a = once(hook, key, json);
        } catch (RuntimeException e) {
            a = new Attempt(NotifyResult.failed(false, -1, e.toString(), clock.millis()), "");
        }
        NotifyResult r = a.result();
        RetryDecision d;
        synchronized (random) {
            d = retry.decide(r, n, firstAtMs, random);
        }
        switch (d.action()) {
            case DELIVERED -> done.accept(new Outcome(true, n, hook instanceof ActionConfig.WebhookHook
                    ? "HTTP " + r.statusCode() : "exit code 0" + quoted(a.output())));
            case GIVE_UP -> done.accept(new Outcome(false, n, d.reason()));
            case RETRY -> scheduler.schedule(() -> threads.execute(() -> attempt(hook, key, json, n + 1, firstAtMs, done)),
                    Math.max(0, d.nextAttemptAtMs() - clock.millis()), TimeUnit.MILLISECONDS);
        }
    }

    private static String quoted(String output) {
        return output == null || output.isBlank() ? "" : ": " + output.strip();
    }

    /** One attempt's result, and the output of a command (else ""). */
    private record Attempt(NotifyResult result, String output) {
    }

    private Attempt once(ActionConfig.Hook hook, String key, byte[] json) {
        long at = clock.millis();
        if (hook instanceof ActionConfig.WebhookHook w) {
            return new Attempt(new HttpDelivery(http, Redactor.none().withUrl(w.url())).post(w.url(),
                    Map.of("Idempotency-Key", key), json, w.timeout(), at, (status, body, atMs) ->
                            NotifyResult.delivered(status, atMs)), "");
        }
        ActionConfig.CommandHook c = (ActionConfig.CommandHook) hook;
        Process p;
        try {
            p = new ProcessBuilder(c.command()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Attempt(NotifyResult.failed(false, -1, "cannot start " + c.command().get(0) + ": "
                    + e.getMessage(), at), "");
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> tail(p.getInputStream()), threads);
        try (OutputStream in = p.getOutputStream()) {
            in.write(json);
        } catch (IOException e) {
            // the program need not read its input
        }
        try {
            if (!p.waitFor(c.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Attempt(NotifyResult.failed(true, -1, "timed out after " + c.timeout().toMillis() + " ms",
                        clock.millis()), "");
            }
            String out = output.get(5, TimeUnit.SECONDS);
            int code = p.exitValue();
            return new Attempt(code == 0 ? NotifyResult.delivered(-1, clock.millis())
                    : NotifyResult.failed(true, -1, "exit code " + code + quoted(out), clock.millis()), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new Attempt(NotifyResult.failed(false, -1, "interrupted", clock.millis()), "");
        } catch (Exception e) {
            return new Attempt(NotifyResult.failed(true, -1, "reading its output: " + e, clock.millis()), "");
        }
    }

    /** The last {@link #QUOTED_OUTPUT_BYTES} bytes of {@code in}, read to its end. */
    private static String tail(InputStream in) {
        byte[] ring = new byte[QUOTED_OUTPUT_BYTES];
        long total = 0;
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    ring[(int) (total++ % ring.length)] = buf[i];
                }
            }
        } catch (IOException e) {
            // the process ended; what was read is kept
        }
        int len = (int) Math.min(total, ring.length);
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = ring[(int) ((total - len + i) % ring.length)];
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
