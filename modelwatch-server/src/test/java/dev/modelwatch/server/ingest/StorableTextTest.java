package dev.modelwatch.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.event.PredictionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one rule for text storage must hold, applied to every string field of every event type. */
class StorableTextTest {
    private final EventDecoder decoder = new EventDecoder(
            new IngestLimits(1 << 20, 1000, 100, Duration.ofDays(30), Duration.ofMinutes(10)), Clock.systemUTC());

    private List<String> errors(String... lines) {
        DecodedBatch b = decoder.decodeNdjson(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        return b.errors().stream().map(e -> e.index() + " " + e.error()).toList();
    }

    @Test
    void charactersOutsideTheBasicPlaneAreAcceptedAsSurrogatePairs() {
        DecodedBatch b = decoder.decodeNdjson(("{\"type\":\"prediction\",\"model\":\"m\",\"version\":\"v\\ud83d\\ude80\","
                + "\"features\":{\"emoji\":\"\uD83D\uDE00\"},\"prediction\":\"\\ud83d\\ude00\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(b.errors()).isEmpty();
        PredictionEvent p = (PredictionEvent) b.events().get(0);
        assertThat(p.version()).isEqualTo("v\uD83D\uDE80");
        assertThat(p.features().get("emoji")).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void nulAndLoneSurrogatesAreRefusedInEveryStringFieldWithTheField() {
        assertThat(errors(
                "{\"type\":\"prediction\",\"model\":\"m\",\"id\":\"a\\u0000\",\"prediction\":1}",
                "{\"type\":\"prediction\",\"model\":\"m\",\"features\":{\"na\\u0000me\":1},\"prediction\":1}",
                "{\"type\":\"prediction\",\"model\":\"m\",\"prediction\":\"cat\\udc00\"}",
                "{\"type\":\"prediction\",\"model\":\"m\",\"scores\":{\"a\\u0000\":0.5}}",
                "{\"type\":\"prediction\",\"model\":\"m\",\"error\":\"oom\\u0000\"}",
                "{\"type\":\"prediction\",\"model\":\"m\",\"prediction\":1,\"segments\":{\"region\":\"e\\ud800u\"}}",
                "{\"type\":\"training\",\"model\":\"m\",\"run\":\"r\\u0000\",\"step\":1}",
                "{\"type\":\"training\",\"model\":\"m\",\"run\":\"r\",\"step\":1,\"metrics\":{\"lo\\u0000ss\":1}}",
                "{\"type\":\"metric\",\"name\":\"gpu\",\"value\":1,\"labels\":{\"host\":\"g\\u0000\"}}",
                "{\"type\":\"label\",\"model\":\"m\",\"id\":\"a\",\"label\":\"\\ud800\"}"))
                .containsExactly(
                        "0 id: contains a NUL character (U+0000) at position 1, which storage cannot hold",
                        "1 features: a name contains a NUL character (U+0000) at position 2, which storage cannot hold",
                        "2 prediction: contains an unpaired surrogate (U+DC00) at position 3, which is no Unicode character"
                                + " and cannot be stored as UTF-8",
                        "3 scores: a name contains a NUL character (U+0000) at position 1, which storage cannot hold",
                        "4 error: contains a NUL character (U+0000) at position 3, which storage cannot hold",
                        "5 segments.region: contains an unpaired surrogate (U+D800) at position 1, which is no Unicode"
                                + " character and cannot be stored as UTF-8",
                        "6 run: contains a NUL character (U+0000) at position 1, which storage cannot hold",
                        "7 metrics: a name contains a NUL character (U+0000) at position 2, which storage cannot hold",
                        "8 labels.host: contains a NUL character (U+0000) at position 1, which storage cannot hold",
                        "9 label: contains an unpaired surrogate (U+D800) at position 0, which is no Unicode character"
                                + " and cannot be stored as UTF-8");
    }

    @Test
    void stepsAndEpochsBeyondExactIntegersAreRefusedAndNonFiniteFeaturesStayDataQualitySignals() {
        assertThat(errors(
                "{\"type\":\"training\",\"model\":\"m\",\"run\":\"r\",\"step\":1e300}",
                "{\"type\":\"training\",\"model\":\"m\",\"run\":\"r\",\"step\":1,\"epoch\":1e20}",
                "{\"type\":\"prediction\",\"model\":\"m\",\"features\":{\"x\":NaN,\"y\":\"Infinity\"},\"prediction\":1}"))
                .containsExactly(
                        "0 step: at most 9007199254740992 (2^53, the largest integer a JSON number holds exactly), got 1.0E300",
                        "1 epoch: at most 9007199254740992 (2^53), got 1.0E20");
    }
}
