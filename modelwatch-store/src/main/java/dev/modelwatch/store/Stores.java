package dev.modelwatch.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.modelwatch.core.profile.SketchSettings;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link Store} on the database a JDBC URL names, creating or upgrading its schema.
 *
 * <p>Usage:
 * <pre>{@code
 * Store store = Stores.open("jdbc:sqlite:data/modelwatch.db", SketchSettings.DEFAULT);
 * Store shared = Stores.open("jdbc:postgresql://db:5432/modelwatch?user=mw&currentSchema=mw", settings);
 * Store mysql = Stores.open("jdbc:mariadb://db:3306/modelwatch?user=mw", settings);
 * }</pre>
 * An in-memory SQLite database ({@code jdbc:sqlite::memory:}) lives as long as the store.
 * The tables go in the PostgreSQL schema named by {@code currentSchema} (created when missing),
 * else in the user's default schema.
 * A MySQL/MariaDB URL names the database (created beforehand, {@code utf8mb4}); the MariaDB
 * driver (4.x) connects with TLS unless the URL says {@code sslMode=disable}.
 */
public final class Stores {
    private static final Logger log = LoggerFactory.getLogger(Stores.class);
    /**
     * How long a caller waits for a pooled connection. Short, because the callers are the ingest
     * writer, which retries a failed flush, and health checks, which must answer while the
     * database is away; neither is helped by waiting half a minute.
     */
    private static final long CONNECTION_TIMEOUT_MS = 5_000;

    private Stores() {
    }

    /**
     * Opens a store: SQLite ({@code jdbc:sqlite:path}, the file's directory is created),
     * PostgreSQL ({@code jdbc:postgresql:}) or MySQL/MariaDB ({@code jdbc:mysql:},
     * {@code jdbc:mariadb:}), and migrates its schema to the current version.
     *
     * @param settings sketch sizes of the profiles the store reads back
     * @throws IllegalArgumentException when the URL's scheme is not one of those
     * @throws StoreException           when the database cannot be reached or migrated
     */
    public static Store open(String jdbcUrl, SketchSettings settings) {
        return open(jdbcUrl, settings, Clock.systemUTC());
    }

    /** As {@link #open(String, SketchSettings)}, stamping written profiles with {@code clock}'s time. */
    public static Store open(String jdbcUrl, SketchSettings settings, Clock clock) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Dialect dialect = Dialect.forUrl(jdbcUrl);
        String where = dialect.kind() + " store at " + redact(jdbcUrl);
        try {
            dialect.prepare(jdbcUrl);
        } catch (IOException e) {
            throw new StoreException("cannot open the " + where + ": " + e.getMessage(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("modelwatch-" + dialect.kind());
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        dialect.configure(config, jdbcUrl);
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the " + where + ": " + JdbcDatabase.describe(e), e);
        }
        try {
            migrate(dataSource, dialect, where);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new JdbcStore(dataSource, dialect, settings, clock);
    }

    private static void migrate(HikariDataSource dataSource, Dialect dialect, String where) {
        Map<String, String> placeholders;
        try (Connection c = dataSource.getConnection()) {
            placeholders = dialect.migrationPlaceholders(c);
        } catch (SQLException e) {
            throw new StoreException("cannot inspect the " + where + ": " + JdbcDatabase.describe(e), e);
        }
        try {
            MigrateResult result = Flyway.configure(Stores.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations(dialect.migrationLocation())
                    .failOnMissingLocations(true)
                    .placeholders(placeholders)
                    // A database with tables but no migration history is someone else's: refuse it.
                    .baselineOnMigrate(false)
                    .cleanDisabled(true)
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                log.info("migrated the {} to schema version {}", where, result.targetSchemaVersion);
            }
        } catch (FlywayException e) {
            throw new StoreException("cannot migrate the schema of the " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The URL without its parameters and user information, which may hold a password, for
     * messages and logs.
     */
    static String redact(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
        return base.replaceFirst("//[^/@]*@", "//");
    }
}
