package dev.modelwatch.server.alert.notify;

import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A secret (a password, a signing key, a URL with an access token) read from the environment variable
 * the configuration names: {@code auth_password_env: SMTP_PASSWORD}. Secrets are never written in the
 * configuration file, so that the file can be committed and shown; {@link #toString()} is
 * {@value #MASK}, so that configurations print safely.
 *
 * <p>The environment is injected as a {@code Function<String, String>} ({@code System::getenv} in the
 * server, a map's {@code get} in tests); it is read once, when the configuration is loaded.
 *
 * <p>Usage:
 * <pre>{@code
 * Secret.refuseInFile(cfg, "auth_password", "auth_password_env");
 * Secret password = Secret.fromEnv(cfg, "auth_password_env", System::getenv);  // null when not named
 * }</pre>
 */
public final class Secret {
    /** What a secret prints as. */
    public static final String MASK = "<secret>";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String envName;
    private final String value;

    private Secret(String envName, String value) {
        this.envName = envName;
        this.value = value;
    }

    /**
     * A secret with its value.
     *
     * @param envName the environment variable it was read from (null when not from one)
     */
    public static Secret of(String envName, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("value must not be empty");
        }
        return new Secret(envName, value);
    }

    /**
     * The secret in the environment variable named by {@code cfg.envKey}; null when the key is not
     * written. A problem at {@code envKey} when the name is not a variable name or the variable is unset
     * or empty (the message names the variable, never a value).
     */
    public static Secret fromEnv(ConfigNode cfg, String envKey, Function<String, String> env) {
        ConfigNode node = cfg.get(envKey);
        String name = node.asString();
        if (name == null) {
            return null;
        }
        if (!ENV_NAME.matcher(name).matches()) {
            node.problem("'" + name + "' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
            return null;
        }
        String value = env.apply(name);
        if (value == null) {
            node.problem("environment variable " + name + " is not set");
            return null;
        }
        if (value.isEmpty()) {
            node.problem("environment variable " + name + " is empty");
            return null;
        }
        return new Secret(name, value);
    }

    /**
     * Records a problem when the secret is written in the file under {@code plainKey} instead of being
     * named by {@code envKey}.
     */
    public static void refuseInFile(ConfigNode cfg, String plainKey, String envKey) {
        if (cfg.get(plainKey).isPresent()) {
            cfg.get(plainKey).problem("secrets are not read from the configuration file: put the value in an"
                    + " environment variable and name it with " + envKey);
        }
    }

    /** The value: only for the code that sends it. */
    public String reveal() {
        return value;
    }

    /** The environment variable it came from, null when none. */
    public String envName() {
        return envName;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret && ((Secret) o).value.equals(value) && Objects.equals(((Secret) o).envName, envName);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return MASK;
    }
}
