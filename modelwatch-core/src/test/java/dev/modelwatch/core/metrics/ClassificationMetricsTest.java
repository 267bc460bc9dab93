package dev.modelwatch.core.metrics;

import static dev.modelwatch.core.fixture.ReferenceAssertions.assertAucMatches;
import static dev.modelwatch.core.fixture.ReferenceAssertions.assertMatches;
import static dev.modelwatch.core.fixture.ReferenceAssertions.confusion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.fixture.Fixture;
import dev.modelwatch.core.fixture.Fixture.Scope;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Classification metrics against scikit-learn 1.2.1 on the binary and multiclass fixtures (see
 * {@code src/test/resources/fixtures/make_fixtures.py}), over all traffic, per segment and per
 * version.
 */
class ClassificationMetricsTest {

    static Stream<Arguments> classificationScopes() {
        return Stream.concat(scopes("binary"), scopes("multiclass"));
    }

    static Stream<Arguments> multiclassScopes() {
        return scopes("multiclass");
    }

    private static Stream<Arguments> scopes(String name) {
        Fixture fx = Fixture.load(name);
        return fx.scopes().stream().map(s -> Arguments.of(fx, s));
    }

    private static ClassificationMetrics metrics(Fixture fx, Scope scope) {
        return ClassificationMetrics.of(fx.profile(scope), fx.spec());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("classificationScopes")
    void labeledCountAndConfusionMatrixMatchScikitLearnExactly(Fixture fx, Scope scope) {
        ClassificationMetrics m = metrics(fx, scope);
        JsonNode e = scope.expected();

        assertThat(m.labeled()).isEqualTo(e.get("labeled").asLong());
        assertThat(m.confusion()).isEqualTo(confusion(e.get("confusion_matrix")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("classificationScopes")
    void accuracyPrecisionRecallF1AndLogLossMatchScikitLearn(Fixture fx, Scope scope) {
        ClassificationMetrics m = metrics(fx, scope);
        JsonNode e = scope.expected();

        assertMatches("accuracy", m.accuracy(), e.get("accuracy"));
        assertMatches("precision", m.precision(), e.get("precision"));
        assertMatches("recall", m.recall(), e.get("recall"));
        assertMatches("f1", m.f1(), e.get("f1"));
        assertMatches("log_loss", m.logLoss(), e.get("log_loss"));
        assertThat(m.reasons()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("classificationScopes")
    void rocAucIsWithinItsErrorBoundOfScikitLearn(Fixture fx, Scope scope) {
        ClassificationMetrics m = metrics(fx, scope);

        assertAucMatches("roc_auc", m.rocAuc(), m.rocAucErrorBound(), scope.expected().get("roc_auc"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("multiclassScopes")
    void perClassMetricsMatchScikitLearn(Fixture fx, Scope scope) {
        ClassificationMetrics m = metrics(fx, scope);
        JsonNode expected = scope.expected().get("per_class");

        assertThat(m.perClass().keySet()).containsExactlyInAnyOrderElementsOf(() -> expected.fieldNames());
        for (Map.Entry<String, JsonNode> c : expected.properties()) {
            ClassificationMetrics.PerClass actual = m.perClass().get(c.getKey());
            JsonNode e = c.getValue();
            assertMatches(c.getKey() + " precision", actual.precision(), e.get("precision"));
            assertMatches(c.getKey() + " recall", actual.recall(), e.get("recall"));
            assertMatches(c.getKey() + " f1", actual.f1(), e.get("f1"));
            assertThat(actual.support()).as(c.getKey() + " support").isEqualTo(e.get("support").asLong());
        }
    }

    @Test
    void metricsWithoutLabelsAreNullWithAReason() {
        Fixture fx = Fixture.load("binary");
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        fx.predictions().forEach(p::addPrediction);

        ClassificationMetrics m = ClassificationMetrics.of(p, fx.spec());

        assertThat(m.labeled()).isZero();
        assertThat(m.accuracy()).isNull();
        assertThat(m.precision()).isNull();
        assertThat(m.rocAuc()).isNull();
        assertThat(m.logLoss()).isNull();
        assertThat(m.reasons()).containsEntry("accuracy", "no labels yet").containsKeys("roc_auc", "log_loss");
    }

    @Test
    void rocAucIsNullWhenTheLabelsHoldOneClassOnly() {
        Fixture fx = Fixture.load("binary");
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        for (PredictionEvent e : fx.predictions().subList(0, 50)) {
            p.addPrediction(e);
            p.addOutcome(fx.pending(e), 0.0, "1", true);
        }

        ClassificationMetrics m = ClassificationMetrics.of(p, fx.spec());

        assertThat(m.accuracy()).isNotNull();
        assertThat(m.rocAuc()).isNull();
        assertThat(m.rocAucErrorBound()).isNull();
        assertThat(m.recall()).isNull();
        assertThat(m.reasons()).containsEntry("roc_auc", "only one class among the labels")
                .containsEntry("recall", "no positive labels");
    }
}
