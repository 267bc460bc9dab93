package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.ProfileKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContractTest {
    /** Static, so that it exists before the class's store is opened in {@code @BeforeAll}. */
    @TempDir
    static Path dir;

    @Override
    protected String createDatabase() {
        // a directory that does not exist yet: opening the store creates it
        return "jdbc:sqlite:" + dir.resolve("data/nested/modelwatch.db");
    }

    @Override
    protected void dropDatabase() {
        // the temporary directory goes with the test class
    }

    @Override
    protected String expectedKind() {
        return "sqlite";
    }

    @Test
    void openingCreatesTheDatabaseDirectory() {
        assertThat(Files.isRegularFile(dir.resolve("data/nested/modelwatch.db"))).isTrue();
    }

    @Test
    void everyPooledConnectionUsesWalFullSyncAndABusyTimeout() throws SQLException {
        // borrow several connections at once so that the pool opens more than one
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(((JdbcStore) store).dataSource().getConnection());
            }
            for (Connection c : held) {
                assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(c, "synchronous")).as("2 is FULL").isEqualTo("2");
                assertThat(pragma(c, "busy_timeout")).isEqualTo("30000");
                assertThat(pragma(c, "cache_size")).as("64 MiB, in KiB when negative").isEqualTo("-65536");
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    void readersGoOnWhileTheWriterCommits() throws Exception {
        ProfileKey key = key("fraud", "v1", ProfileKey.ALL, MINUTE, T0);
        int commits = 60;
        ExecutorService pool = Executors.newFixedThreadPool(5);
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch readersStarted = new CountDownLatch(4);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(pool.submit(() -> {
                    readersStarted.countDown();
                    long lastCount = 0;
                    long lastLsn = 0;
                    int reads = 0;
                    while (writing.get()) {
                        long lsn = store.checkpointLsn();
                        List<StoredProfile> found = store.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + MINUTE);
                        long count = found.isEmpty() ? 0 : found.get(0).profile().count();
                        assertThat(lsn).isGreaterThanOrEqualTo(lastLsn);
                        assertThat(count).isGreaterThanOrEqualTo(lastCount);
                        lastLsn = lsn;
                        lastCount = count;
                        reads++;
                    }
                    return reads;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                readersStarted.await();
                for (int i = 1; i <= commits; i++) {
                    store.commit(FlushBuilder.at(i).delta(key, profileOf(0, 10, T0)).build());
                }
                return null;
            });
            try {
                writer.get(60, TimeUnit.SECONDS);
            } finally {
                writing.set(false);
            }
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.checkpointLsn()).isEqualTo(commits);
        assertThat(store.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + MINUTE).get(0).profile().count())
                .isEqualTo(10L * commits);
    }

    @Test
    void inMemoryDatabaseKeepsItsDataAcrossCalls() {
        try (Store memory = Stores.open("jdbc:sqlite::memory:", SETTINGS)) {
            memory.commit(FlushBuilder.at(9).delta(key("fraud", "v1", ProfileKey.ALL, MINUTE, T0), profileOf(0, 5, T0))
                    .build());
            assertThat(memory.checkpointLsn()).isEqualTo(9);
            assertThat(memory.profiles("fraud", "v1", ProfileKey.ALL, MINUTE, T0, T0 + MINUTE)).hasSize(1);
        }
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
