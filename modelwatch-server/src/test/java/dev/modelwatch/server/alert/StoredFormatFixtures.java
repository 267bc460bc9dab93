package dev.modelwatch.server.alert;

import dev.modelwatch.server.alert.delivery.OutboxPayload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the stored-format fixtures ({@code src/test/resources/fixtures/alert-state}) from
 * {@link StoredFormatSamples}, with the encoders of the code it runs in, byte for byte as the store
 * receives them. Skipped unless asked for; from the repository root:
 * {@code mvn -o -pl modelwatch-server -am test -Dtest=StoredFormatFixtures -DwriteStoredFormatFixtures=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class StoredFormatFixtures {
    static final Path DIR = Path.of("src/test/resources/fixtures/alert-state");

    @Test
    @EnabledIfSystemProperty(named = "writeStoredFormatFixtures", matches = "true")
    void write() throws IOException {
        Files.createDirectories(DIR);
        Files.write(DIR.resolve("rules.json"), AlertStateCodec.rules(StoredFormatSamples.rules()));
        Files.write(DIR.resolve("dispatcher.json"), AlertStateCodec.dispatcher(dev.modelwatch.server.alert.dispatch.StoredDispatcher.of(StoredFormatSamples.dispatcher())));
        Files.write(DIR.resolve("silences.json"),
                AlertStateCodec.silences(StoredFormatSamples.silences(), StoredFormatSamples.silenceCounts()));
        Files.write(DIR.resolve("outbox.json"), new OutboxPayload(1, StoredFormatSamples.notification()).encode());
    }
}
