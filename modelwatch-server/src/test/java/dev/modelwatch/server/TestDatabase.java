package dev.modelwatch.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty database for one test on one of the three kinds: {@code sqlite} (the embedded
 * default, {@link #url()} null), {@code postgresql} (a new schema on the machine's server) or
 * {@code mariadb} (a new database). A server that is absent skips the test, or fails it when
 * {@code modelwatch.requireDatabases} is true (CI). Closing drops what was created.
 */
final class TestDatabase implements AutoCloseable {
    static final String POSTGRES_ADMIN = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    static final String MARIADB_ADMIN = "jdbc:mariadb://127.0.0.1:3306/test?user=root&sslMode=disable";

    private final String kind;
    private final String name;
    private final String url;

    private TestDatabase(String kind, String name, String url) {
        this.kind = kind;
        this.name = name;
        this.url = url;
    }

    static TestDatabase create(String kind) {
        if (kind.equals("sqlite")) {
            return new TestDatabase(kind, null, null);
        }
        String name = "mw_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = connect(kind); Statement s = c.createStatement()) {
            s.execute(kind.equals("postgresql") ? "CREATE SCHEMA " + name
                    : "CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create " + name + " on " + kind, e);
        }
        String url = kind.equals("postgresql") ? POSTGRES_ADMIN + "&currentSchema=" + name
                : "jdbc:mariadb://127.0.0.1:3306/" + name + "?user=root&sslMode=disable";
        return new TestDatabase(kind, name, url);
    }

    /** The JDBC URL, or null for the embedded SQLite database of the data directory. */
    String url() {
        return url;
    }

    String kind() {
        return kind;
    }

    /** {@code url} with the host and port replaced (to go through a proxy). */
    String urlThrough(int port) {
        return url.replace(kind.equals("postgresql") ? "127.0.0.1:5432" : "127.0.0.1:3306", "127.0.0.1:" + port);
    }

    static Connection connect(String kind) {
        try {
            return DriverManager.getConnection(kind.equals("postgresql") ? POSTGRES_ADMIN : MARIADB_ADMIN);
        } catch (SQLException e) {
            String problem = kind + " is not reachable: " + e.getMessage();
            if (Boolean.getBoolean("modelwatch.requireDatabases")) {
                return Assertions.fail(problem + " (and modelwatch.requireDatabases=true requires it)", e);
            }
            return Assumptions.abort(problem + "; skipped");
        }
    }

    @Override
    public void close() {
        if (name == null) {
            return;
        }
        try (Connection c = connect(kind); Statement s = c.createStatement()) {
            s.execute(kind.equals("postgresql") ? "DROP SCHEMA " + name + " CASCADE" : "DROP DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop " + name, e);
        }
    }
}
