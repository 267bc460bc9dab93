package dev.modelwatch.server.auth;

import java.util.Locale;

/** {@code server.auth}: whether a request must present a token. */
public enum AuthMode {
    /** Required when the server listens beyond loopback, optional on loopback (the default). */
    AUTO,
    /** Every request except {@code /healthz} and {@code /readyz} needs a token with the route's scope. */
    REQUIRED,
    /** A request without a token may do anything; one that presents a token is held to its scopes. Loopback only. */
    OPTIONAL;

    public static AuthMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "required" -> REQUIRED;
            case "optional" -> OPTIONAL;
            default -> throw new IllegalArgumentException("'" + s + "' is not auto, required or optional");
        };
    }
}
