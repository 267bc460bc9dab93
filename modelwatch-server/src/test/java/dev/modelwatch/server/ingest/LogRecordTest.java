package dev.modelwatch.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.PredictionEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class LogRecordTest {
    private static final long RECEIVED = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

    private static EventDecoder decoder(int maxFeatures, Clock clock) {
        return new EventDecoder(new IngestLimits(1 << 20, 1000, maxFeatures, Duration.ofDays(30), Duration.ofMinutes(10)),
                clock);
    }

    @Test
    void replayYieldsExactlyTheAcknowledgedEventsWithTheirReceiveTime() {
        String body = "[{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"a\",\"prediction\":1},"
                + "{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"b\",\"prediction\":1,\"features\":{\"x\":1,\"y\":2}},"
                + "{\"type\":\"oops\",\"model\":\"m\"},"
                + "{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"c\",\"prediction\":1}]";
        // at ingest, with a limit of 1 feature: b is rejected (too many features), the unknown type too
        EventDecoder ingest = decoder(1, Clock.fixed(Instant.ofEpochMilli(RECEIVED), ZoneOffset.UTC));
        DecodedBatch batch = ingest.decodeJson(body.getBytes(StandardCharsets.UTF_8), RECEIVED);
        assertThat(batch.errors()).extracting(DecodedBatch.EventError::index).containsExactly(1, 2);
        int[] rejected = batch.errors().stream().mapToInt(DecodedBatch.EventError::index).toArray();
        byte[] bytes = new LogRecord(RECEIVED, LogRecord.Format.JSON, false, rejected,
                body.getBytes(StandardCharsets.UTF_8)).encode();

        // replayed days later with generous limits: still exactly a and c, stamped with the receive time
        EventDecoder replay = decoder(1000, Clock.fixed(Instant.ofEpochMilli(RECEIVED + 86_400_000L), ZoneOffset.UTC));
        List<Event> events = LogRecord.decode(bytes).events(replay);
        assertThat(events).extracting(e -> ((PredictionEvent) e).id()).containsExactly("a", "c");
        assertThat(events).allSatisfy(e -> assertThat(e.timestampMs()).isEqualTo(RECEIVED));
    }

    @Test
    void gzipNdjsonBodiesAreKeptAsSentAndDecodedOnReplay() throws IOException {
        String nd = "{\"type\":\"label\",\"model\":\"m\",\"id\":\"a\",\"label\":1}\n{\"type\":\"label\",\"model\":\"m\",\"id\":\"b\",\"label\":0}\n";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(nd.getBytes(StandardCharsets.UTF_8));
        }
        LogRecord record = new LogRecord(RECEIVED, LogRecord.Format.NDJSON, true, new int[0], gz.toByteArray());
        LogRecord back = LogRecord.decode(record.encode());
        assertThat(back).isEqualTo(record);
        byte[][] parts = record.parts();
        byte[] joined = java.util.Arrays.copyOf(parts[0], parts[0].length + parts[1].length);
        System.arraycopy(parts[1], 0, joined, parts[0].length, parts[1].length);
        assertThat(joined).isEqualTo(record.encode());
        assertThat(back.events(decoder(10, Clock.systemUTC()))).hasSize(2);
    }
}
