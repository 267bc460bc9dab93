package dev.modelwatch.core.metrics;

import static dev.modelwatch.core.fixture.ReferenceAssertions.assertMatches;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.core.event.PredictionEvent;
import dev.modelwatch.core.fixture.Fixture;
import dev.modelwatch.core.fixture.Fixture.Scope;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression metrics against scikit-learn 1.2.1 ({@code mean_absolute_error}, the square root of
 * {@code mean_squared_error}, {@code mean_absolute_percentage_error}, {@code r2_score}) on the
 * regression fixture, over all traffic, per segment and per version.
 */
class RegressionMetricsTest {

    static Stream<Arguments> regressionScopes() {
        Fixture fx = Fixture.load("regression");
        return fx.scopes().stream().map(s -> Arguments.of(fx, s));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("regressionScopes")
    void regressionMetricsMatchScikitLearn(Fixture fx, Scope scope) {
        WindowProfile p = fx.profile(scope);
        RegressionMetrics m = RegressionMetrics.of(p);
        JsonNode e = scope.expected();

        assertThat(p.labeled()).isEqualTo(e.get("labeled").asLong());
        assertThat(m.n()).isEqualTo(e.get("labeled").asLong());
        assertMatches("mae", m.mae(), e.get("mae"));
        assertMatches("rmse", m.rmse(), e.get("rmse"));
        assertMatches("mape", m.mape(), e.get("mape"));
        assertMatches("r2", m.r2(), e.get("r2"));
        assertThat(m.reasons()).isEmpty();
    }

    @Test
    void regressionMetricsWithoutLabelsAreNullWithAReason() {
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        Fixture.load("regression").predictions().forEach(p::addPrediction);

        RegressionMetrics m = RegressionMetrics.of(p);

        assertThat(m.n()).isZero();
        assertThat(m.mae()).isNull();
        assertThat(m.r2()).isNull();
        assertThat(m.reasons()).containsEntry("mae", "no labels yet");
    }

    @Test
    void r2IsNullWhenTheTargetsAreConstant() {
        Fixture fx = Fixture.load("regression");
        WindowProfile p = new WindowProfile(SketchSettings.DEFAULT);
        for (PredictionEvent e : fx.predictions().subList(0, 20)) {
            p.addPrediction(e);
            p.addOutcome(fx.pending(e), 12.5, null, false);
        }

        RegressionMetrics m = RegressionMetrics.of(p);

        assertThat(m.n()).isEqualTo(20);
        assertThat(m.mae()).isPositive();
        assertThat(m.r2()).isNull();
        assertThat(m.reasons()).containsEntry("r2", "labels are constant; R² is undefined");
    }
}
