package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The store contract on the MariaDB server of this machine (the {@code mysql} dialect), in a
 * database of its own that is dropped afterwards.
 *
 * <p>System property {@code modelwatch.test.mariadbUrl} overrides the server's URL (any database
 * on it, as a user that may create databases), e.g. {@code -Dmodelwatch.test.mariadbUrl=jdbc:mariadb://127.0.0.1:1/test?user=root&sslMode=disable}
 * to see the tests skipped, or failed under {@code -Dmodelwatch.requireDatabases=true}, when the
 * server is absent.
 */
class MariaDbStoreTest extends StoreContractTest {
    private static final String ADMIN_URL = System.getProperty("modelwatch.test.mariadbUrl",
            "jdbc:mariadb://127.0.0.1:3306/test?user=root&sslMode=disable&connectTimeout=3000");

    private String database;

    @Override
    protected String createDatabase() throws SQLException {
        try (Connection c = ExternalDatabase.connect("MariaDB", ADMIN_URL); Statement s = c.createStatement()) {
            database = "mw_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            s.execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4");
        }
        return withDatabase(ADMIN_URL, database);
    }

    @Override
    protected void dropDatabase() throws SQLException {
        if (database == null) {
            return;
        }
        try (Connection c = ExternalDatabase.connect("MariaDB", ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + database);
        }
    }

    @Override
    protected String expectedKind() {
        return "mysql";
    }

    @Test
    void mysqlSchemeIsServedByTheMariaDbDriver() {
        try (Store mysql = Stores.open(url.replaceFirst("^jdbc:mariadb:", "jdbc:mysql:"), SETTINGS)) {
            assertThat(mysql.kind()).isEqualTo("mysql");
            assertThat(mysql.isReachable()).isTrue();
        }
    }

    /** The URL with its database (the path) replaced. */
    private static String withDatabase(String jdbcUrl, String database) {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        return "jdbc:" + uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
}
