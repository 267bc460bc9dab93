package dev.modelwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.profile.SketchSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StoresTest {

    @Test
    void unknownSchemeIsRejectedNamingItAndTheSupportedOnes() {
        assertThatThrownBy(() -> Stores.open("jdbc:oracle:thin:@db:1521/x", SketchSettings.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'jdbc:oracle:'")
                .hasMessageContaining("jdbc:sqlite:, jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb:");
        assertThatThrownBy(() -> Stores.open("postgres://db/x", SketchSettings.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'postgres:'");
    }

    @ParameterizedTest
    @CsvSource({
            "jdbc:sqlite:data/mw.db,                                sqlite",
            "jdbc:postgresql://db:5432/mw?user=mw,                  postgresql",
            "jdbc:mysql://db:3306/mw,                               mysql",
            "jdbc:mariadb://db:3306/mw,                             mysql",
    })
    void urlPrefixPicksTheDialect(String url, String kind) {
        assertThat(Dialect.forUrl(url).kind()).isEqualTo(kind);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "jdbc:sqlite:data/mw.db,                                data/mw.db",
            "jdbc:sqlite:/var/lib/mw/mw.db?journal_mode=WAL,        /var/lib/mw/mw.db",
            "jdbc:sqlite:file:/tmp/mw.db?mode=rwc,                  /tmp/mw.db",
            "jdbc:sqlite:file:///tmp/mw.db,                         /tmp/mw.db",
            "jdbc:sqlite::memory:,                                  null",
            "jdbc:sqlite:,                                          null",
            "jdbc:sqlite:file:shared?mode=memory&cache=shared,      null",
    })
    void sqliteUrlNamesItsFileOrNoneWhenInMemory(String url, String file) {
        assertThat(Dialect.sqliteFile(url)).isEqualTo(file == null ? null : Path.of(file));
    }

    @Test
    void redactedUrlHasNoCredentials() {
        assertThat(Stores.redact("jdbc:postgresql://db:5432/mw?user=mw&password=s3cret")).isEqualTo("jdbc:postgresql://db:5432/mw");
        assertThat(Stores.redact("jdbc:mysql://mw:s3cret@db:3306/mw")).isEqualTo("jdbc:mysql://db:3306/mw");
    }

    @Test
    void unreachableServerFailsWithTheRedactedUrl() {
        assertThatThrownBy(() -> Stores.open("jdbc:postgresql://127.0.0.1:1/mw?user=mw&password=s3cret&connectTimeout=2",
                SketchSettings.DEFAULT))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("postgresql store at jdbc:postgresql://127.0.0.1:1/mw")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void upsertsUseEachDatabasesSyntax() {
        List<String> key = List.of("model", "id");
        List<String> columns = List.of("model", "id", "label");
        assertThat(Dialect.SQLITE.upsert("early_labels", key, columns)).isEqualTo(
                "INSERT INTO early_labels (model, id, label) VALUES (?, ?, ?)"
                        + " ON CONFLICT (model, id) DO UPDATE SET label = excluded.label");
        assertThat(Dialect.MYSQL.upsert("early_labels", key, columns)).isEqualTo(
                "INSERT INTO early_labels (model, id, label) VALUES (?, ?, ?)"
                        + " ON DUPLICATE KEY UPDATE label = VALUES(label)");
    }
}
