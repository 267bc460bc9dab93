package dev.modelwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.ingest.DecodedBatch;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.IngestLimits;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generated bodies are what the benchmark claims: valid events the server's decoder accepts whole. */
class PredictionWorkloadTest {
    private static final long NOW = System.currentTimeMillis();

    private static EventDecoder decoder() {
        ServerConfig c = ServerConfig.defaults();
        return new EventDecoder(new IngestLimits(c.maxBodyBytes(), c.maxEventsPerRequest(), c.maxFeatures(),
                c.maxEventAge(), c.maxFutureSkew()), Clock.systemUTC());
    }

    @Test
    void everyLineIsAValidPredictionWithTwentyNumericalFeatures() {
        PredictionWorkload w = PredictionWorkload.generate(42, 2_000, 500, NOW);
        assertThat(w.bodies()).hasSize(4);
        assertThat(w.eventCount()).isEqualTo(2_000);
        EventDecoder decoder = decoder();
        for (byte[] body : w.bodies()) {
            assertThat(new String(body, StandardCharsets.US_ASCII).split("\n")).hasSize(500);
            DecodedBatch batch = decoder.decodeNdjson(body);
            assertThat(batch.errors()).isEmpty();
            assertThat(batch.events()).hasSize(500);
            for (Event e : batch.events()) {
                PredictionEvent p = (PredictionEvent) e;
                assertThat(p.model()).isEqualTo(PredictionWorkload.MODEL);
                assertThat(p.features()).hasSize(20).allSatisfy((name, value) -> assertThat(value).isInstanceOf(Double.class));
                assertThat(p.score()).isBetween(0.0, 1.0);
                assertThat(p.latencyMs()).isPositive();
                assertThat(p.segments()).containsKey("region");
                assertThat(p.timestampMs()).isBetween(NOW - 180_000, NOW);
            }
        }
        assertThat(w.meanEventBytes()).isBetween(550.0, 650.0);
    }

    @Test
    void sameSeedGivesTheSameBytes() {
        List<byte[]> a = PredictionWorkload.generate(7, 1_000, 1_000, NOW).bodies();
        List<byte[]> b = PredictionWorkload.generate(7, 1_000, 1_000, NOW).bodies();
        assertThat(a.get(0)).isEqualTo(b.get(0));
    }

    @Test
    void eachClientStampsIdsNoOtherSendHasUsed() {
        PredictionWorkload w = PredictionWorkload.generate(42, 300, 100, NOW);
        EventDecoder decoder = decoder();
        Set<String> ids = new HashSet<>();
        for (int client = 0; client < 3; client++) {
            PredictionWorkload.ClientCopy copy = w.copyFor(client);
            for (int send = 0; send < 7; send++) {
                DecodedBatch batch = decoder.decodeNdjson(copy.next());
                assertThat(batch.errors()).isEmpty();
                for (Event e : batch.events()) {
                    assertThat(ids.add(((PredictionEvent) e).id())).isTrue();
                }
            }
        }
        assertThat(ids).hasSize(3 * 7 * 100);
    }

    @Test
    void scatteredIdsAreUniqueAndOutOfOrder() {
        PredictionWorkload w = PredictionWorkload.generate(42, 300, 100, NOW);
        EventDecoder decoder = decoder();
        Set<String> ids = new HashSet<>();
        int ascending = 0;
        for (int client = 0; client < 3; client++) {
            PredictionWorkload.ClientCopy copy = w.copyFor(client, true);
            String previous = "";
            for (int send = 0; send < 7; send++) {
                for (Event e : decoder.decodeNdjson(copy.next()).events()) {
                    String id = ((PredictionEvent) e).id();
                    assertThat(ids.add(id)).isTrue();
                    if (id.compareTo(previous) > 0) {
                        ascending++;
                    }
                    previous = id;
                }
            }
        }
        assertThat(ids).hasSize(3 * 7 * 100);
        // in order, every step would ascend; scattered, about half do
        assertThat(ascending).isBetween(600, 1500);
    }

    @Test
    void parseOnlyReaderCountsOneEventPerLine() {
        PredictionWorkload w = PredictionWorkload.generate(42, 1_000, 250, NOW);
        ParseOnlyReader reader = new ParseOnlyReader();
        for (byte[] body : w.bodies()) {
            assertThat(reader.read(body)).isEqualTo(250);
        }
        assertThat(reader.checksum()).isNotZero();
    }
}
