package dev.modelwatch.server.alert.notify.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import dev.modelwatch.server.alert.notify.EndpointUrl;
import dev.modelwatch.server.alert.notify.IntegrationConfig;
import dev.modelwatch.server.alert.notify.Secret;
import java.util.function.Function;

/**
 * One {@code webhook_configs} entry, as Alertmanager's {@code webhook_config}:
 * <pre>{@code
 * webhook_configs:
 *   - url: http://127.0.0.1:9000/hook        # or url_env: HOOK_URL (when the URL embeds a token)
 *     send_resolved: true                    # default true, as Alertmanager
 *     max_alerts: 0                          # at most this many alerts per message, 0 = all
 *     bearer_token_env: HOOK_TOKEN           # optional: Authorization: Bearer <value of HOOK_TOKEN>
 *     timeout: 10s                           # the whole request, default 10s
 * }</pre>
 *
 * @param url          where to POST
 * @param sendResolved whether resolved alerts are sent
 * @param maxAlerts    the most alerts in one message, 0 for all
 * @param bearerToken  the bearer token, null when none
 * @param timeoutMs    the request time-out
 */
public record WebhookConfig(EndpointUrl url, boolean sendResolved, int maxAlerts, Secret bearerToken, long timeoutMs)
        implements IntegrationConfig {
    /** The settings as written, the bearer token (when set) as {@value Secret#MASK}. */
    public record View(String url, boolean sendResolved, int maxAlerts, @JsonInclude(JsonInclude.Include.NON_NULL) String bearerTokenEnv,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String bearerToken, String timeout) implements IntegrationConfig.View {
    }

    /** Alertmanager's default. */
    public static final boolean DEFAULT_SEND_RESOLVED = true;

    public WebhookConfig {
        if (url == null) {
            throw new IllegalArgumentException("url must not be null");
        }
        if (maxAlerts < 0) {
            throw new IllegalArgumentException("maxAlerts must not be negative, was " + maxAlerts);
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, was " + timeoutMs);
        }
    }

    /** Reads one entry; null (with problems recorded at their paths) when it cannot be used. */
    public static WebhookConfig parse(ConfigNode cfg, Function<String, String> env) {
        if (!cfg.allowKeys("url", "url_env", "send_resolved", "max_alerts", "bearer_token", "bearer_token_env", "timeout")) {
            if (cfg.isUnset()) {
                cfg.problem("must be a mapping with a url");
            }
            return null;
        }
        EndpointUrl url = EndpointUrl.parse(cfg, env, false);
        boolean sendResolved = IntegrationConfig.readSendResolved(cfg, DEFAULT_SEND_RESOLVED);
        int maxAlerts = IntegrationConfig.readInt(cfg.get("max_alerts"), 0, Integer.MAX_VALUE, 0);
        Secret.refuseInFile(cfg, "bearer_token", "bearer_token_env");
        Secret token = Secret.fromEnv(cfg, "bearer_token_env", env);
        long timeout = IntegrationConfig.readTimeoutMs(cfg, DEFAULT_HTTP_TIMEOUT_MS);
        return url == null ? null : new WebhookConfig(url, sendResolved, maxAlerts, token, timeout);
    }

    @Override
    public String integration() {
        return "webhook";
    }

    @Override
    public View view() {
        return new View(url.toString(), sendResolved, maxAlerts, bearerToken == null ? null : bearerToken.envName(),
                bearerToken == null ? null : Secret.MASK, timeoutMs + "ms");
    }

    @Override
    public String toString() {
        return IntegrationConfig.describe("webhook", view());
    }
}
