package dev.modelwatch.server.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.modelwatch.core.drift.DriftShare;
import dev.modelwatch.core.quality.DataQualityIssue;
import dev.modelwatch.core.quality.DataQualityIssue.Kind;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JsonTest {
    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyDataQualityIssueMapsToTheApiShape(Kind kind) throws Exception {
        DataQualityIssue issue = new DataQualityIssue("f", kind, 0.5, null, "why");

        Map<String, Object> json = Json.MAPPER.readValue(Json.bytes(issue), new TypeReference<LinkedHashMap<String, Object>>() { });
        assertThat(json).containsExactly(Map.entry("feature", "f"),
                Map.entry("issue", kind.name().toLowerCase(Locale.ROOT)), Map.entry("value", 0.5),
                new AbstractMap.SimpleEntry<String, Object>("reference", null), Map.entry("message", "why"));
    }

    @Test
    void aDriftShareIsAnsweredWithItsNullReasons() throws Exception {
        DriftShare s = new DriftShare(0, 0, 0, null, null, Map.of("share", "no feature was tested"));

        Map<String, Object> json = Json.MAPPER.readValue(Json.bytes(s), new TypeReference<LinkedHashMap<String, Object>>() { });
        assertThat(json).containsEntry("share", null).containsEntry("tested", 0).containsEntry("weighted_share", null)
                .containsEntry("null_reasons", Map.of("share", "no feature was tested"))
                .containsOnlyKeys("tested", "drifted", "uncertain", "share", "weighted_share", "null_reasons");
    }
}
