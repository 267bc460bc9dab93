package dev.modelwatch.core.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The numpy/scipy reference values for the detectors ({@code src/test/resources/fixtures/detect/detect.json},
 * written by {@code make_detect_fixtures.py} there; its docstring says how each value was computed).
 */
final class DetectFixture {
    private static final JsonNode ROOT = load();

    /** One series and the reference values over it. */
    record Case(String name, double[] values, JsonNode expected) {
        @Override
        public String toString() {
            return name;
        }

        double expect(String detector, String field) {
            return expected.get(detector).get(field).asDouble();
        }
    }

    private DetectFixture() {
    }

    static String generatedBy() {
        return ROOT.get("generated_by").asText();
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : ROOT.get("cases")) {
            JsonNode ints = c.get("values");
            double[] v = new double[ints.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = ints.get(i).asLong() / 1e4; // the same division numpy did
            }
            cases.add(new Case(c.get("name").asText(), v, c));
        }
        return cases;
    }

    private static JsonNode load() {
        try (InputStream in = DetectFixture.class.getResourceAsStream("/fixtures/detect/detect.json")) {
            if (in == null) {
                throw new IllegalStateException("no fixtures/detect/detect.json on the test class path");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
