package dev.modelwatch.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventDecoderTest {
    private static final String OK = "{\"type\":\"label\",\"model\":\"m\",\"id\":\"a\",\"label\":1}";
    private final EventDecoder decoder = new EventDecoder(
            new IngestLimits(1 << 20, 1000, 100, Duration.ofDays(30), Duration.ofMinutes(10)), Clock.systemUTC());

    private DecodedBatch ndjson(String body) {
        return decoder.decodeNdjson(body.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> errors(DecodedBatch b) {
        return b.errors().stream().map(e -> e.index() + " " + e.error()).toList();
    }

    @Test
    void eachNdjsonLineIsOneEventAndBlankLinesDoNotCount() {
        DecodedBatch b = ndjson(OK + "\n\n  \n" + OK + "\r\n" + OK);
        assertThat(b.events()).hasSize(3);
        assertThat(b.total()).isEqualTo(3);
        assertThat(b.errors()).isEmpty();
    }

    @Test
    void aBadNdjsonLineIsRejectedAloneWhateverIsWrongWithIt() {
        String body = String.join("\n", OK, "{\"type\":", OK, OK + " " + OK, "17", "{\"type\":\"label\",", "\"model\":\"m\"}", OK);
        DecodedBatch b = ndjson(body);
        assertThat(b.events()).hasSize(3);
        assertThat(b.total()).isEqualTo(8);
        assertThat(errors(b)).hasSize(5);
        assertThat(errors(b).get(0)).startsWith("1 malformed JSON at column");
        assertThat(errors(b).get(1)).isEqualTo("3 unexpected data after the event object on this line");
        assertThat(errors(b).get(2)).isEqualTo("4 line must be an event object, got a number");
        assertThat(errors(b).get(3)).startsWith("5 malformed JSON");
        assertThat(errors(b).get(4)).isEqualTo("6 line must be an event object, got a string");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"prediction\",\"model\":\"m\",\"prediction\":1,\"score\":\"high\"}|score: must be a number, got the string 'high'",
        "{\"type\":\"prediction\",\"model\":\"m\",\"prediction\":[1]}|prediction: must be a number, string or boolean, got an array",
        "{\"type\":\"prediction\",\"model\":\"m\"}|prediction: required (or score, scores, or error for a failed inference)",
        "{\"type\":\"prediction\",\"model\":\"m\",\"prediction\":1,\"segments\":{\"a:b\":\"x\"}}|segments: a key must be 1 to 128 characters without ':'",
        "{\"type\":\"prediction\",\"model\":\"m\",\"score\":0.5,\"scores\":{\"a\":1}}|score and scores: send score for a binary model or scores for a multiclass one, not both",
        "{\"type\":\"label\",\"model\":\"m\",\"id\":\"a\",\"label\":NaN}|label: must be finite, got NaN",
        "{\"model\":\"m\"}|type: required (prediction, label, training or metric)",
        "{\"type\":\"prediction\",\"prediction\":1}|model: required",
        "{\"type\":\"training\",\"model\":\"m\",\"run\":\"r\",\"step\":1.5}|step: required, a finite integer >= 0, got 1.5",
        "{\"type\":\"prediction\",\"model\":\"m\",\"prediction\":1,\"features\":{\"x\":1,\"x\":2}}|features.x: given more than once",
    })
    void invalidEventsNameTheirFieldAndProblem(String event, String error) {
        DecodedBatch b = decoder.decodeJson(event.getBytes(StandardCharsets.UTF_8));
        assertThat(b.events()).isEmpty();
        assertThat(b.errors()).singleElement().extracting(DecodedBatch.EventError::error).isEqualTo(error);
    }

    @Test
    void modelNamesFollowTheDocumentedPattern() {
        assertThat(EventDecoder.isModelName("fraud-v2.1_eu")).isTrue();
        assertThat(EventDecoder.isModelName("a".repeat(128))).isTrue();
        assertThat(EventDecoder.isModelName("a".repeat(129))).isFalse();
        assertThat(EventDecoder.isModelName("")).isFalse();
        assertThat(EventDecoder.isModelName("bad name")).isFalse();
        assertThat(EventDecoder.isModelName("ümlaut")).isFalse();
    }
}
