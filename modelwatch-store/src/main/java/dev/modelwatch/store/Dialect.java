package dev.modelwatch.store;

import com.zaxxer.hikari.HikariConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What differs between the supported databases: connection settings, row locking and upsert
 * syntax. Column types differ too, but those live in each database's migration scripts under
 * {@code db/migration/<kind>}.
 */
enum Dialect {
    SQLITE("sqlite", "jdbc:sqlite:") {
        @Override
        void prepare(String jdbcUrl) throws IOException {
            Path file = sqliteFile(jdbcUrl);
            Path directory = file == null ? null : file.toAbsolutePath().getParent();
            if (directory != null) {
                try {
                    Files.createDirectories(directory);
                } catch (IOException e) {
                    throw new IOException("cannot create the directory " + directory + " (" + e + ")", e);
                }
            }
        }

        @Override
        void configure(HikariConfig config, String jdbcUrl) {
            config.setJdbcUrl(jdbcUrl);
            // Pragmas are per connection, so they go to the driver, which sets them on each one.
            // WAL lets readers go on while the writer commits. synchronous=FULL makes a commit
            // durable when it returns: the ingest log is truncated up to the checkpoint right after.
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "FULL");
            // A commit of a busy minute can hold the write lock for seconds; the alert
            // evaluator's small writes wait for it rather than fail.
            config.addDataSourceProperty("busy_timeout", "30000");
            // 64 MiB of page cache a connection (SQLite's default is 2 MiB), allocated as used: a
            // commit reads and rewrites the profiles of the open windows, tens of KiB each, and
            // a query reads the same ones back.
            config.addDataSourceProperty("cache_size", "-65536");
            // A commit reads stored profiles and then writes them back; taking the write lock at
            // BEGIN (IMMEDIATE) is SQLite's SELECT ... FOR UPDATE, and avoids the SQLITE_BUSY a
            // deferred transaction gets when it cannot upgrade its read snapshot to a write.
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            if (sqliteFile(jdbcUrl) == null) {
                // An in-memory database lives as long as its one connection: keep exactly one, forever.
                config.setMaximumPoolSize(1);
                config.setMinimumIdle(1);
                config.setMaxLifetime(0);
                config.setIdleTimeout(0);
            }
        }

        @Override
        String lockForUpdate() {
            return "";
        }

        @Override
        String upsert(String table, List<String> key, List<String> columns) {
            return onConflict(table, key, columns);
        }

        @Override
        String insertIfAbsent(String table, List<String> key, List<String> columns) {
            return insert(table, columns) + " ON CONFLICT (" + String.join(", ", key) + ") DO NOTHING";
        }
    },

    POSTGRESQL("postgresql", "jdbc:postgresql:") {
        @Override
        void configure(HikariConfig config, String jdbcUrl) {
            config.setJdbcUrl(jdbcUrl);
            // Sends a batch of inserts as multi-row INSERTs: a 10,000-row upsert of predictions took
            // 0.14 s instead of 0.25 s on PostgreSQL 15.
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
        }

        @Override
        String upsert(String table, List<String> key, List<String> columns) {
            return onConflict(table, key, columns);
        }

        @Override
        String insertIfAbsent(String table, List<String> key, List<String> columns) {
            return insert(table, columns) + " ON CONFLICT (" + String.join(", ", key) + ") DO NOTHING";
        }
    },

    MYSQL("mysql", "jdbc:mysql:", "jdbc:mariadb:") {
        @Override
        void configure(HikariConfig config, String jdbcUrl) {
            // The MariaDB driver serves jdbc:mysql: URLs too, but only when asked to, so that it
            // does not shadow MySQL's own driver where that one is on the class path.
            String url = jdbcUrl;
            if (jdbcUrl.startsWith("jdbc:mysql:") && !someDriverAccepts(jdbcUrl)) {
                url = jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "permitMysqlScheme";
            }
            config.setJdbcUrl(url);
            // Strict mode: a value too long for its column is an error, never silently truncated
            // (truncated keys would merge different models' profiles).
            config.setConnectionInitSql("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
            // Under REPEATABLE READ, SELECT ... FOR UPDATE of an absent row takes a gap lock, and two
            // writers inserting into the same gap deadlock; READ COMMITTED locks only rows that exist.
            config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
            // Sends a batch as multi-row statements: 10,000 prediction upserts took 0.8 s one
            // statement at a time (bulk protocol included) and 0.14 s rewritten, on MariaDB 10.11.
            config.addDataSourceProperty("rewriteBatchedStatements", "true");
        }

        @Override
        String upsert(String table, List<String> key, List<String> columns) {
            // VALUES(col) rather than MySQL 8's row alias: MariaDB has no row alias.
            return insert(table, columns) + " ON DUPLICATE KEY UPDATE " + columns.stream()
                    .filter(c -> !key.contains(c))
                    .map(c -> c + " = VALUES(" + c + ")")
                    .collect(Collectors.joining(", "));
        }

        @Override
        String insertIfAbsent(String table, List<String> key, List<String> columns) {
            // Not INSERT IGNORE: that would also turn a too-long value into a warning.
            return insert(table, columns) + " ON DUPLICATE KEY UPDATE " + key.get(0) + " = " + key.get(0);
        }

        @Override
        Map<String, String> migrationPlaceholders(Connection connection) throws SQLException {
            Set<String> available = new HashSet<>();
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COLLATION_NAME FROM information_schema.COLLATIONS"
                         + " WHERE COLLATION_NAME IN ('utf8mb4_0900_bin', 'utf8mb4_nopad_bin')")) {
                while (rs.next()) {
                    available.add(rs.getString(1));
                }
            }
            // NO PAD binary collations tell "v1" from "v1 "; utf8mb4_bin (PAD SPACE) is the fallback
            // on servers that have neither (MySQL 5.7, MariaDB before 10.2).
            String collation = available.contains("utf8mb4_0900_bin") ? "utf8mb4_0900_bin"
                    : available.contains("utf8mb4_nopad_bin") ? "utf8mb4_nopad_bin"
                    : "utf8mb4_bin";
            return Map.of("binaryCollation", collation);
        }
    };

    private final String kind;
    private final List<String> prefixes;

    Dialect(String kind, String... prefixes) {
        this.kind = kind;
        this.prefixes = List.of(prefixes);
    }

    /**
     * The dialect of a JDBC URL.
     *
     * @throws IllegalArgumentException naming the URL's scheme and the supported ones
     */
    static Dialect forUrl(String jdbcUrl) {
        for (Dialect d : values()) {
            for (String prefix : d.prefixes) {
                if (jdbcUrl.startsWith(prefix)) {
                    return d;
                }
            }
        }
        throw new IllegalArgumentException("unsupported database URL scheme '" + scheme(jdbcUrl)
                + "'; supported: " + Arrays.stream(values())
                        .flatMap(d -> d.prefixes.stream())
                        .collect(Collectors.joining(", ")));
    }

    /** The short name {@link Store#kind()} answers, also the folder of the migration scripts. */
    String kind() {
        return kind;
    }

    String migrationLocation() {
        return "classpath:db/migration/" + kind;
    }

    /** Prepares what must exist before the first connection (SQLite: the file's directory). */
    void prepare(String jdbcUrl) throws IOException {
    }

    /** Sets the URL and the driver and session settings this database needs on the pool. */
    abstract void configure(HikariConfig config, String jdbcUrl);

    /**
     * Appended to a SELECT of rows that the same transaction will write back, so that a second
     * writer waits instead of overwriting the merge.
     */
    String lockForUpdate() {
        return " FOR UPDATE";
    }

    /** An INSERT of {@code columns} that replaces the non-key columns of the row with the same key. */
    abstract String upsert(String table, List<String> key, List<String> columns);

    /** An INSERT of {@code columns} that leaves an existing row with the same key as it is. */
    abstract String insertIfAbsent(String table, List<String> key, List<String> columns);

    /** Values of the placeholders in this database's migration scripts. */
    Map<String, String> migrationPlaceholders(Connection connection) throws SQLException {
        return Map.of();
    }

    static String insert(String table, List<String> columns) {
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
    }

    private static String onConflict(String table, List<String> key, List<String> columns) {
        return insert(table, columns) + " ON CONFLICT (" + String.join(", ", key) + ") DO UPDATE SET "
                + columns.stream()
                        .filter(c -> !key.contains(c))
                        .map(c -> c + " = excluded." + c)
                        .collect(Collectors.joining(", "));
    }

    /** {@code jdbc:xyz:} of {@code jdbc:xyz://host/db}, or the part before the first colon. */
    static String scheme(String url) {
        int first = url.indexOf(':');
        if (first < 0) {
            return url;
        }
        if (url.startsWith("jdbc:")) {
            int second = url.indexOf(':', first + 1);
            return second < 0 ? url : url.substring(0, second + 1);
        }
        return url.substring(0, first + 1);
    }

    /**
     * The database file a SQLite URL names, or null when the database is in memory (or a private
     * temporary one, as an empty path gives).
     */
    static Path sqliteFile(String jdbcUrl) {
        String rest = jdbcUrl.substring("jdbc:sqlite:".length());
        int q = rest.indexOf('?');
        String path = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? "" : rest.substring(q + 1);
        if (path.startsWith("file:")) {
            path = path.substring("file:".length());
            if (path.startsWith("//")) {
                // file://host/path: the path starts at the first slash after the (empty or local) host
                int slash = path.indexOf('/', 2);
                path = slash < 0 ? "" : path.substring(slash);
            }
        }
        boolean memory = path.isEmpty() || path.equals(":memory:")
                || Arrays.asList(query.split("&")).contains("mode=memory");
        return memory ? null : Path.of(path);
    }

    private static boolean someDriverAccepts(String jdbcUrl) {
        try {
            DriverManager.getDriver(jdbcUrl);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
