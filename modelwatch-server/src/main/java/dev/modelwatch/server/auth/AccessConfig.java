package dev.modelwatch.server.auth;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The {@code server.auth}, {@code server.insecure_no_auth} and {@code server.external_url} keys.
 *
 * @param mode           whether requests need a token ({@code auto}: beyond loopback only)
 * @param insecureNoAuth no token checks at all, even beyond loopback ({@code --insecure-no-auth})
 * @param externalUrl    the URL browsers use to reach this server (its {@code Origin}), or null for the listening URL
 * @param tls            {@code server.tls}, or null for plain HTTP
 */
public record AccessConfig(AuthMode mode, boolean insecureNoAuth, String externalUrl, TlsConfig tls) {
    public static final AccessConfig DEFAULT = new AccessConfig(AuthMode.AUTO, false, null, null);

    /** Without HTTPS. */
    public AccessConfig(AuthMode mode, boolean insecureNoAuth, String externalUrl) {
        this(mode, insecureNoAuth, externalUrl, null);
    }

    /** {@code https} with {@code server.tls}, else {@code http}. */
    public String scheme() {
        return tls == null ? "http" : "https";
    }

    /** Whether {@code bind} is a loopback address (127.0.0.0/8, ::1, localhost). */
    public static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether every request but the public ones must carry a token, for a server bound to {@code bind}. */
    public boolean tokensRequired(String bind) {
        if (insecureNoAuth) {
            return false;
        }
        return switch (mode) {
            case REQUIRED -> true;
            case OPTIONAL -> !isLoopback(bind);
            case AUTO -> !isLoopback(bind);
        };
    }

    /** The origin ({@code scheme://host[:port]}) that browsers on this server's own pages send. */
    public String origin(String scheme, String bind, int port) {
        if (externalUrl != null) {
            return originOf(externalUrl);
        }
        String host = bind.contains(":") ? "[" + bind + "]" : bind;
        return scheme + "://" + host + ":" + port;
    }

    /** The origin part of a URL: lowercase scheme and host, the port only when not the scheme's default. */
    public static String originOf(String url) {
        URI u = URI.create(url.trim());
        if (u.getScheme() == null || u.getHost() == null) {
            throw new IllegalArgumentException("'" + url + "' is not an absolute http(s) URL");
        }
        String scheme = u.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = u.getPort();
        boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        return scheme + "://" + u.getHost().toLowerCase(java.util.Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }
}
