package dev.modelwatch.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A database server on this machine that some tests need. When it does not answer, those tests
 * are skipped (reported as skipped, never as passed), or fail when the system property
 * {@code modelwatch.requireDatabases} is {@code true}, as it is where the servers must be present.
 */
final class ExternalDatabase {
    static final String REQUIRE_PROPERTY = "modelwatch.requireDatabases";

    private ExternalDatabase() {
    }

    /** Connects to {@code server} (a name for messages) or aborts or fails the calling test. */
    static Connection connect(String server, String adminUrl) {
        try {
            return DriverManager.getConnection(adminUrl);
        } catch (SQLException e) {
            String problem = server + " at " + Stores.redact(adminUrl) + " is not reachable: " + e.getMessage();
            if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
                return Assertions.fail(problem + " (and -D" + REQUIRE_PROPERTY + "=true requires it)", e);
            }
            return Assumptions.abort(problem + "; skipped (-D" + REQUIRE_PROPERTY + "=true makes this a failure)");
        }
    }
}
