package dev.modelwatch.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.PredictionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DecodedValuesTest {
    private final DecodedValues values = new DecodedValues();

    @Test
    void equalValuesComeBackAsTheFirstInstance() {
        String v3 = values.text(new String("v3"));
        assertThat(values.text(new String("v3"))).isSameAs(v3);
        assertThat(values.text(null)).isNull();

        Map<String, String> first = values.segments(new HashMap<>(Map.of(new String("region"), new String("eu"))));
        Map<String, String> again = values.segments(new HashMap<>(Map.of(new String("region"), new String("eu"))));
        assertThat(again).isSameAs(first).isEqualTo(Map.of("region", "eu"));
        assertThat(first.keySet().iterator().next()).isSameAs(values.text(new String("region")));
        assertThat(values.segments(Map.of())).isEmpty();
        assertThat(values.segments(null)).isNull();
    }

    @Test
    void longStringsAndValuesPastTheBoundAreReturnedEqual() {
        String longValue = "x".repeat(DecodedValues.MAX_LENGTH + 1);
        String copy = new String(longValue);
        assertThat(values.text(copy)).isSameAs(copy);
        // past the bound the kind starts again: every value still comes back equal, and kept again
        for (int i = 0; i < 3 * DecodedValues.MAX_ENTRIES; i++) {
            String v = "v-" + i;
            assertThat(values.text(new String(v))).isEqualTo(v);
            assertThat(values.segments(new HashMap<>(Map.of("s", v)))).isEqualTo(Map.of("s", v));
        }
        String kept = values.text(new String("after"));
        assertThat(values.text(new String("after"))).isSameAs(kept);
    }

    @Test
    void threadsDecodingAtOnceGetEqualValues() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Map<String, String>>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Callable<List<Map<String, String>>> work = () -> {
                    List<Map<String, String>> out = new ArrayList<>();
                    for (int i = 0; i < 20_000; i++) {
                        out.add(values.segments(new HashMap<>(Map.of("region", "r-" + (i % 5000)))));
                    }
                    return out;
                };
                results.add(pool.submit(work));
            }
            for (Future<List<Map<String, String>>> f : results) {
                List<Map<String, String>> out = f.get();
                for (int i = 0; i < out.size(); i++) {
                    assertThat(out.get(i)).isEqualTo(Map.of("region", "r-" + (i % 5000)));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theServersDecoderHandsOverKeptInstancesAndTheCeilingsDecoderFreshCopies() {
        IngestLimits limits = new IngestLimits(1 << 20, 1000, 100, Duration.ofDays(30), Duration.ofMinutes(10));
        long now = System.currentTimeMillis();
        String line = "{\"type\":\"prediction\",\"model\":\"fraud\",\"version\":\"v3\",\"timestamp\":" + now
                + ",\"features\":{\"x\":1},\"prediction\":1,\"segments\":{\"region\":\"eu\"}}\n";
        byte[] body = (line + line).getBytes(StandardCharsets.UTF_8);

        List<?> kept = new EventDecoder(limits, Clock.systemUTC()).decodeNdjson(body, now).events();
        PredictionEvent a = (PredictionEvent) kept.get(0);
        PredictionEvent b = (PredictionEvent) kept.get(1);
        assertThat(b.model()).isSameAs(a.model());
        assertThat(b.version()).isSameAs(a.version());
        assertThat(b.segments()).isSameAs(a.segments());

        List<?> own = EventDecoder.withoutKeptValues(limits, Clock.systemUTC()).decodeNdjson(body, now).events();
        PredictionEvent c = (PredictionEvent) own.get(0);
        PredictionEvent d = (PredictionEvent) own.get(1);
        assertThat(d.segments()).isEqualTo(c.segments()).isNotSameAs(c.segments());
        assertThat(d.version()).isEqualTo(c.version()).isNotSameAs(c.version());
        assertThat(c).isEqualTo(a);
    }
}
