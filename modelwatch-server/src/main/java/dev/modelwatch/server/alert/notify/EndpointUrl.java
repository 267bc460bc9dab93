package dev.modelwatch.server.alert.notify;

import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.function.Function;

/**
 * The http(s) URL an integration posts to, written in the file ({@code url:}) or read from the
 * environment variable the file names ({@code url_env:}). Robot and incoming-webhook URLs (Slack,
 * DingTalk, WeCom, Feishu) carry their access token, so they are secret whichever way they are given:
 * {@link #toString()} is {@value Secret#MASK} and {@link #redactor()} removes them from error text.
 * {@code url_env} is the recommended form for them; {@code url} is accepted (the contract's example
 * writes {@code dingtalk_configs: [{url: ...}]}).
 *
 * <p>Usage: {@code EndpointUrl url = EndpointUrl.parse(cfg, env, true);} (null and a problem when
 * missing or malformed).
 */
public final class EndpointUrl {
    private final URI uri;
    private final boolean secret;

    private EndpointUrl(URI uri, boolean secret) {
        this.uri = uri;
        this.secret = secret;
    }

    /**
     * An endpoint URL.
     *
     * @param secret whether the URL is a secret (embeds a token or was read from the environment)
     */
    public static EndpointUrl of(URI uri, boolean secret) {
        String why = check(uri);
        if (why != null) {
            throw new IllegalArgumentException("uri " + why);
        }
        return new EndpointUrl(uri, secret);
    }

    /**
     * Reads {@code url} or {@code url_env} (exactly one) of {@code cfg}.
     *
     * @param embedsToken whether the URL carries an access token (then it is masked even when written
     *                    in the file, and its value never appears in a problem)
     * @return the URL, or null (with a problem) when missing, doubly given or malformed
     */
    public static EndpointUrl parse(ConfigNode cfg, Function<String, String> env, boolean embedsToken) {
        ConfigNode url = cfg.get("url");
        ConfigNode urlEnv = cfg.get("url_env");
        if (!url.isUnset() && !urlEnv.isUnset()) {
            urlEnv.problem("give url or url_env, not both");
            return null;
        }
        if (url.isUnset() && urlEnv.isUnset()) {
            url.problem("required (or url_env naming an environment variable that holds the URL)");
            return null;
        }
        if (!url.isUnset()) {
            String text = url.asString();
            if (text == null) {
                return null;
            }
            URI u = toUri(text.trim());
            String why = u == null ? "is not a URL" : check(u);
            if (why != null) {
                url.problem((embedsToken ? "the URL " : "'" + text + "' ") + why);
                return null;
            }
            return new EndpointUrl(u, embedsToken);
        }
        Secret value = Secret.fromEnv(cfg, "url_env", env);
        if (value == null) {
            return null;
        }
        URI u = toUri(value.reveal().trim());
        String why = u == null ? "is not a URL" : check(u);
        if (why != null) {
            urlEnv.problem("the value of environment variable " + value.envName() + " " + why);
            return null;
        }
        return new EndpointUrl(u, true);
    }

    private static URI toUri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String check(URI u) {
        if (u == null) {
            return "must not be null";
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
            return "is not an absolute http(s) URL";
        }
        return null;
    }

    public URI uri() {
        return uri;
    }

    /** Whether the URL must not be shown. */
    public boolean secret() {
        return secret;
    }

    /** This URL with {@code name=value} query parameters (already URL-encoded) appended. */
    public URI withQuery(String encodedParams) {
        String s = uri.toString();
        int hash = s.indexOf('#');
        String fragment = hash < 0 ? "" : s.substring(hash);
        String base = hash < 0 ? s : s.substring(0, hash);
        String sep = uri.getRawQuery() == null ? "?" : base.endsWith("&") || base.endsWith("?") ? "" : "&";
        return URI.create(base + sep + encodedParams + fragment);
    }

    /** Removes this URL from error text when it is secret. */
    public Redactor redactor() {
        return secret ? Redactor.none().withUrl(uri) : Redactor.none();
    }

    @Override
    public String toString() {
        return secret ? Secret.MASK : uri.toString();
    }
}
