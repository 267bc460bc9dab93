package dev.modelwatch.server.config;

import dev.modelwatch.server.auth.AccessConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code server:} section.
 *
 * @param db            JDBC URL, or {@code null} for the embedded SQLite file under {@code dataDir}
 * @param shutdownGrace how long closing may take at most: what is not done by then is left in the ingest log
 * @param access        who may call the API, and over what ({@code auth}, {@code external_url}, {@code tls}, ...)
 */
public record ServerSettings(int port, String bind, Path dataDir, String db, Duration shutdownGrace,
                             AccessConfig access) {
    static final ServerSettings DEFAULT = new ServerSettings(8080, "127.0.0.1", Path.of("data"), null,
            Duration.ofSeconds(30), AccessConfig.DEFAULT);
}
