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
 * The scipy reference values for drift decisions ({@code src/test/resources/fixtures/drift/decision.json},
 * written by {@code make_decision_fixtures.py} there; its docstring says how each value was computed).
 */
final class DecisionFixture {
    /** Larger than any fixture sample: KLL keeps every value, so the sketches are exact. */
    static final int EXACT_K = 32768;
    static final JsonNode ROOT = load();

    /** One numerical case: exact samples and scipy's values over them. */
    record Numerical(String name, double[] reference, double[] current, JsonNode expected) {
        @Override
        public String toString() {
            return name;
        }

        FeatureProfile referenceProfile() {
            return profile(reference);
        }

        FeatureProfile currentProfile() {
            return profile(current);
        }
    }

    private DecisionFixture() {
    }

    static List<Numerical> ks() {
        return numerical(ROOT.get("ks"));
    }

    static List<Numerical> wasserstein() {
        return numerical(ROOT.get("wasserstein"));
    }

    static List<JsonNode> categorical() {
        List<JsonNode> cases = new ArrayList<>();
        ROOT.get("categorical").forEach(cases::add);
        return cases;
    }

    /** A profile of the counts {@code {"category": count}}. */
    static FeatureProfile categoricalProfile(JsonNode counts) {
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        for (Map.Entry<String, JsonNode> e : counts.properties()) {
            for (long i = 0; i < e.getValue().asLong(); i++) {
                p.add(e.getKey());
            }
        }
        return p;
    }

    static FeatureProfile profile(double[] values) {
        KllSeed.set(1);
        FeatureProfile p = new FeatureProfile(new SketchSettings(EXACT_K, 64, 12));
        for (double v : values) {
            p.add(v);
        }
        return p;
    }

    static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    private static List<Numerical> numerical(JsonNode set) {
        double[] ref = decode(set.get("ref"));
        double[] z = decode(set.get("z"));
        List<Numerical> cases = new ArrayList<>();
        for (JsonNode c : set.get("cases")) {
            double a = c.get("a").asDouble();
            double b = c.get("b").asDouble();
            double[] cur = new double[z.length];
            for (int i = 0; i < z.length; i++) {
                cur[i] = a * z[i] + b; // one multiply, one add: numpy's doubles exactly
            }
            cases.add(new Numerical(c.get("name").asText(), ref, cur, c));
        }
        return cases;
    }

    private static double[] decode(JsonNode ints) {
        double[] v = new double[ints.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ints.get(i).asLong() / 1e4; // the same division numpy did
        }
        return v;
    }

    private static JsonNode load() {
        try (InputStream in = DecisionFixture.class.getResourceAsStream("/fixtures/drift/decision.json")) {
            if (in == null) {
                throw new IllegalStateException("no fixtures/drift/decision.json on the test class path");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
