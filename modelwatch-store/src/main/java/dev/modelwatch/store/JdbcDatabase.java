package dev.modelwatch.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Collection;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pooled database that the JDBC repositories share: it runs their work in one transaction or
 * as a plain read, each on a connection of its own, batches rows, and words failures as
 * {@link StoreException}s.
 */
final class JdbcDatabase {
    private static final Logger log = LoggerFactory.getLogger(JdbcDatabase.class);
    /** Rows per executed batch, so that a huge flush does not hold every row in the driver at once. */
    private static final int BATCH_SIZE = 1_000;
    private static final int REACHABLE_TIMEOUT_S = 2;
    /** Longest database message kept in an exception message (PostgreSQL's can quote whole rows). */
    private static final int MAX_MESSAGE_CHARS = 600;

    private final HikariDataSource dataSource;
    private final Dialect dialect;

    JdbcDatabase(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    Dialect dialect() {
        return dialect;
    }

    /** The pool, for tests that inspect connection settings. */
    DataSource dataSource() {
        return dataSource;
    }

    boolean isReachable() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(REACHABLE_TIMEOUT_S);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next();
            }
        } catch (SQLException e) {
            log.debug("{} store not reachable: {}", dialect.kind(), e.getMessage());
            return false;
        }
    }

    void close() {
        dataSource.close();
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface RowBinder<T> {
        void bind(PreparedStatement s, T row) throws SQLException;
    }

    @FunctionalInterface
    interface StatementBinder {
        void bind(PreparedStatement s) throws SQLException;
    }

    static <T> void executeBatched(Connection c, String sql, Collection<T> rows, RowBinder<T> binder)
            throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int pending = 0;
            for (T row : rows) {
                binder.bind(s, row);
                s.addBatch();
                if (++pending == BATCH_SIZE) {
                    s.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                s.executeBatch();
            }
        }
    }

    static void setNullableLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    /**
     * Runs {@code work} in one transaction: all of it commits, or it is rolled back and a StoreException
     * thrown. A failure of the COMMIT itself (the connection dying before its answer) leaves the outcome
     * unknown, and the message says so: the caller must find out from the database what landed.
     */
    <T> T inTransaction(String what, SqlWork<T> work) {
        boolean committing = false;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                committing = true;
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                endTransaction(c);
            }
        } catch (SQLException | RuntimeException e) {
            if (committing) {
                throw new StoreException(what + " failed at COMMIT, which may or may not have taken effect: " + describe(e),
                        e);
            }
            throw new StoreException(what + " failed and was rolled back: " + describe(e), e);
        }
    }

    /**
     * Returns the connection to autocommit. sqlite-jdbc begins the next transaction right after a
     * commit or rollback, and with BEGIN IMMEDIATE that would hold the database's write lock while
     * the connection idles in the pool. The outcome is already decided here; should this fail the
     * connection is broken, and the pool discards it.
     */
    private static void endTransaction(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("could not return a connection to autocommit: {}", e.getMessage());
        }
    }

    <T> T read(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException | RuntimeException e) {
            throw new StoreException(what + " failed: " + describe(e), e);
        }
    }

    /**
     * The message that says what went wrong: for a failed batch, the database's own error (the
     * "next exception"), cut short; the drivers' batch messages can quote every bound value.
     */
    static String describe(Throwable e) {
        Throwable cause = e instanceof SQLException s && s.getNextException() != null ? s.getNextException() : e;
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
