package dev.modelwatch.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The store contract on the PostgreSQL server of this machine, in a schema of its own that is
 * dropped afterwards.
 *
 * <p>System property {@code modelwatch.test.postgresUrl} overrides the server's URL (a database
 * the user may create schemas in), e.g. {@code -Dmodelwatch.test.postgresUrl=jdbc:postgresql://127.0.0.1:1/test?user=postgres}
 * to see the tests skipped, or failed under {@code -Dmodelwatch.requireDatabases=true}, when the
 * server is absent.
 */
class PostgresStoreTest extends StoreContractTest {
    private static final String ADMIN_URL = System.getProperty("modelwatch.test.postgresUrl",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=3");

    private String schema;

    @Override
    protected String createDatabase() throws SQLException {
        try (Connection c = ExternalDatabase.connect("PostgreSQL", ADMIN_URL); Statement s = c.createStatement()) {
            schema = "mw_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            s.execute("CREATE SCHEMA " + schema);
        }
        return ADMIN_URL + (ADMIN_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    protected void dropDatabase() throws SQLException {
        if (schema == null) {
            return;
        }
        try (Connection c = ExternalDatabase.connect("PostgreSQL", ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Override
    protected String expectedKind() {
        return "postgresql";
    }
}
