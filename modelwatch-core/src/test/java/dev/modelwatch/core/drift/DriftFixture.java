package dev.modelwatch.core.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.kll.KllSeed;

/**
 * The scipy reference values for drift ({@code src/test/resources/fixtures/drift/drift.json}, written
 * by {@code make_drift_fixtures.py} there; its docstring says how each value was computed).
 */
final class DriftFixture {
    static final long KLL_SEED = 20260126L;
    private static final JsonNode ROOT = load();

    /** One numerical case: the exact samples and scipy's values over them. */
    record Numerical(int n, String name, double a, double b, double[] reference, double[] current, JsonNode expected,
            JsonNode edges) {
        @Override
        public String toString() {
            return name + " n=" + n;
        }

        FeatureProfile referenceProfile(int k) {
            return profile(reference, k, KLL_SEED);
        }

        FeatureProfile currentProfile(int k) {
            return profile(current, k, KLL_SEED + 1);
        }

        /** An array of the case's expected values, or {@code "edges"}: scipy's decile edges of the reference. */
        double[] expectedArray(String field) {
            JsonNode node = field.equals("edges") ? edges : expected.get(field);
            double[] v = new double[node.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = node.get(i).asDouble();
            }
            return v;
        }
    }

    private DriftFixture() {
    }

    static String generatedBy() {
        return ROOT.get("generated_by").asText();
    }

    static List<Numerical> numerical() {
        List<Numerical> cases = new ArrayList<>();
        for (JsonNode size : ROOT.get("numerical")) {
            double[] ref = decode(size.get("ref"));
            double[] z = decode(size.get("z"));
            for (JsonNode c : size.get("cases")) {
                double a = c.get("a").asDouble();
                double b = c.get("b").asDouble();
                double[] cur = new double[z.length];
                for (int i = 0; i < z.length; i++) {
                    cur[i] = a * z[i] + b; // one multiply, one add: numpy's doubles exactly
                }
                cases.add(new Numerical(size.get("n").asInt(), c.get("name").asText(), a, b, ref, cur, c, size.get("edges")));
            }
        }
        return cases;
    }

    static List<JsonNode> categorical() {
        List<JsonNode> cases = new ArrayList<>();
        ROOT.get("categorical").forEach(cases::add);
        return cases;
    }

    /** A profile of the counts {@code {"category": count}}, values added round-robin over categories. */
    static FeatureProfile categoricalProfile(JsonNode counts) {
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        for (Map.Entry<String, JsonNode> e : counts.properties()) {
            for (long i = 0; i < e.getValue().asLong(); i++) {
                p.add(e.getKey());
            }
        }
        return p;
    }

    static FeatureProfile profile(double[] values, int k, long seed) {
        KllSeed.set(seed);
        FeatureProfile p = new FeatureProfile(new SketchSettings(k, 64, 12));
        for (double v : values) {
            p.add(v);
        }
        return p;
    }

    private static double[] decode(JsonNode ints) {
        double[] v = new double[ints.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ints.get(i).asLong() / 1e4; // the same division numpy did
        }
        return v;
    }

    private static JsonNode load() {
        try (InputStream in = DriftFixture.class.getResourceAsStream("/fixtures/drift/drift.json")) {
            if (in == null) {
                throw new IllegalStateException("no fixtures/drift/drift.json on the test class path");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
