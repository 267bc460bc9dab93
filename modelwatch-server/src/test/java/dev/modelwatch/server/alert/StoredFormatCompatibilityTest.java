package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.alert.delivery.OutboxPayload;
import dev.modelwatch.server.alert.dispatch.Dispatcher;
import dev.modelwatch.server.alert.dispatch.StoredDispatcher;
import dev.modelwatch.server.alert.silence.StoredSilences;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Restart compatibility of the stored alerting documents: the fixtures were written by the
 * hand-written encoders the documents had before they became Jackson records
 * ({@link StoredFormatFixtures}); the current code must read them back to the values they were made
 * from, and write those values to the same JSON (key order aside).
 */
class StoredFormatCompatibilityTest {
    private static final ObjectMapper TREE = new ObjectMapper();

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = StoredFormatCompatibilityTest.class.getResourceAsStream("/fixtures/alert-state/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    static void assertSameJson(byte[] actual, byte[] expected) throws IOException {
        JsonNode a = TREE.readTree(actual);
        JsonNode e = TREE.readTree(expected);
        assertThat(a).isEqualTo(e);
    }

    @Test
    void rulesDocument() throws IOException {
        byte[] stored = fixture("rules.json");
        assertThat(AlertStateCodec.readRules(stored)).isEqualTo(StoredFormatSamples.rules());
        assertSameJson(AlertStateCodec.rules(StoredFormatSamples.rules()), stored);
    }

    @Test
    void dispatcherDocument() throws IOException {
        byte[] stored = fixture("dispatcher.json");
        Dispatcher expected = StoredFormatSamples.dispatcher();
        assertThat(expected.groups()).isNotEmpty();
        Dispatcher read = AlertStateCodec.readDispatcher(stored).toDispatcher(StoredFormatSamples.route());
        assertThat(read.groups()).isEqualTo(expected.groups());
        assertThat(read.mutedCounts()).isEqualTo(expected.mutedCounts());
        assertSameJson(AlertStateCodec.dispatcher(StoredDispatcher.of(expected)), stored);
    }

    @Test
    void silencesDocument() throws IOException {
        byte[] stored = fixture("silences.json");
        StoredSilences read = AlertStateCodec.readSilences(stored);
        assertThat(read.toSilences()).isEqualTo(StoredFormatSamples.silences());
        assertThat(read.toCounts()).isEqualTo(StoredFormatSamples.silenceCounts());
        assertSameJson(AlertStateCodec.silences(StoredFormatSamples.silences(), StoredFormatSamples.silenceCounts()), stored);
    }

    @Test
    void outboxPayload() throws IOException {
        byte[] stored = fixture("outbox.json");
        assertThat(OutboxPayload.decode(stored)).isEqualTo(new OutboxPayload(1, StoredFormatSamples.notification()));
        assertSameJson(new OutboxPayload(1, StoredFormatSamples.notification()).encode(), stored);
    }

    @Test
    void aMalformedDocumentIsRejectedNamingTheField() {
        String missing = "{\"Drift\":{\"rule\":\"Drift\",\"instances\":[{\"fingerprint\":\"4f4404c516669c60\","
                + "\"labels\":{\"alertname\":\"Drift\",\"model\":\"fraud\",\"severity\":\"critical\"},"
                + "\"series_labels\":{},\"annotations\":{},\"state\":\"firing\",\"value\":1}]}}";
        assertThatThrownBy(() -> AlertStateCodec.readRules(missing.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("alert.state_since: missing");
        String wrongType = "{\"silences\":[{\"id\":\"a\",\"matchers\":[\"x=\\\"1\\\"\"],\"starts_at\":\"soon\"}]}";
        assertThatThrownBy(() -> AlertStateCodec.readSilences(wrongType.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corrupt alerting state silences")
                .hasMessageContaining("\"starts_at\"");
        String badValue = missing.replace("\"value\":1", "\"value\":\"lots\"");
        assertThatThrownBy(() -> AlertStateCodec.readRules(badValue.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"value\"")
                .hasMessageContaining("must be a number, \"NaN\", \"+Inf\" or \"-Inf\"");
    }
}
