package dev.modelwatch.server.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.server.ingest.BodyException;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.EventDecoder.ReferenceRow;
import dev.modelwatch.server.ingest.IngestLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceReaderTest {
    private final IngestLimits limits = new IngestLimits(1 << 20, 10_000, 5, Duration.ofDays(400), Duration.ofMinutes(5));
    private final ReferenceReader reader = new ReferenceReader(new EventDecoder(limits, Clock.systemUTC()), limits);

    private static ByteArrayInputStream body(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jsonRowsAreReadAndBadRowsRejectedWithIndexAndReason() throws IOException {
        List<ReferenceRow> rows = new ArrayList<>();
        ReferenceReader.Outcome o = reader.readJson(body("""
                [{"features": {"amount": 12.5, "country": "DE", "age": null}, "score": 0.7, "label": 1},
                 {"features": {"amount": "lots"}, "score": "high"},
                 {"features": {"amount": NaN}, "prediction": "cat", "label": "dog"},
                 7]"""), rows::add);

        assertThat(o.accepted()).isEqualTo(2);
        assertThat(o.rejected()).isEqualTo(2);
        assertThat(o.errors()).extracting(ReferenceReader.RowError::index).containsExactly(1L, 3L);
        assertThat(o.errors().get(0).reason()).isEqualTo("score: must be a number, got the string 'high'");
        assertThat(o.errors().get(1).reason()).isEqualTo("row must be an object");
        assertThat(rows.get(0).features()).containsEntry("amount", 12.5).containsEntry("country", "DE")
                .containsEntry("age", null);
        assertThat(rows.get(0).score()).isEqualTo(0.7);
        assertThat(rows.get(0).label()).isEqualTo(1.0);
        assertThat((Double) rows.get(1).features().get("amount")).isNaN();
        assertThat(rows.get(1).label()).isEqualTo("dog");
    }

    @Test
    void jsonObjectFormCarriesFeatureImportances() throws IOException {
        List<ReferenceRow> rows = new ArrayList<>();
        ReferenceReader.Outcome o = reader.readJson(body("""
                {"feature_importances": {"amount": 0.75, "age": 0.25},
                 "rows": [{"features": {"amount": 1}}, {"features": {"amount": 2}}]}"""), rows::add);
        assertThat(o.accepted()).isEqualTo(2);
        assertThat(o.featureImportances()).containsExactly(Map.entry("amount", 0.75), Map.entry("age", 0.25));

        assertThatThrownBy(() -> reader.readJson(body("{\"feature_importances\": {\"a\": -1}, \"rows\": []}"), r -> { }))
                .isInstanceOf(BodyException.class).hasMessage("feature_importances.a: must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> reader.readJson(body("{\"rows\": [{\"features\": {}}"), r -> { }))
                .isInstanceOf(BodyException.class).hasMessageStartingWith("malformed JSON after 1 rows");
        assertThatThrownBy(() -> reader.readJson(body("\"x\""), r -> { }))
                .isInstanceOf(BodyException.class).hasMessageContaining("JSON array of rows");
    }

    @Test
    void csvColumnsAreFeaturesExceptTheReservedOnes() throws IOException {
        List<ReferenceRow> rows = new ArrayList<>();
        ReferenceReader.Outcome o = reader.readCsv(body("""
                amount,country,prediction,label,scores.cat,scores.dog
                12.5,DE,cat,cat,0.8,0.2
                ,NA,dog,dog,0.1,0.9
                Infinity,"Paris, FR",cat,dog,0.6,0.4
                1,2,3
                4,FR,cat,cat,high,0.5
                """), rows::add);

        assertThat(o.accepted()).isEqualTo(3);
        assertThat(o.errors()).extracting(ReferenceReader.RowError::reason).containsExactly(
                "row has 3 cells, the header has 6", "scores.cat: must be a number, got 'high'");
        assertThat(o.errors()).extracting(ReferenceReader.RowError::index).containsExactly(3L, 4L);
        assertThat(rows.get(0).features()).containsEntry("amount", 12.5).containsEntry("country", "DE");
        assertThat(rows.get(0).prediction()).isEqualTo("cat");
        assertThat(rows.get(0).scores()).containsExactly(Map.entry("cat", 0.8), Map.entry("dog", 0.2));
        assertThat(rows.get(1).features()).containsEntry("amount", null).containsEntry("country", null);
        assertThat(rows.get(2).features()).containsEntry("amount", Double.POSITIVE_INFINITY)
                .containsEntry("country", "Paris, FR");
    }

    @Test
    void csvHeaderProblemsRejectTheUpload() {
        assertThatThrownBy(() -> reader.readCsv(body("a,b,a\n1,2,3\n"), r -> { }))
                .isInstanceOf(BodyException.class).hasMessage("header column 3: 'a' appears twice");
        assertThatThrownBy(() -> reader.readCsv(body("a,b,c,d,e,f\n"), r -> { }))
                .isInstanceOf(BodyException.class).hasMessage("more than 5 feature columns (ingest.max_features)");
        assertThatThrownBy(() -> reader.readCsv(body(""), r -> { }))
                .isInstanceOf(BodyException.class).hasMessage("empty CSV: a header row is required");
    }
}
