package dev.modelwatch.server.alert.inhibit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.MatcherParser;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InhibitorTest {
    static final long T0 = 1_800_000_000_000L;

    static Alert alert(String... labels) {
        return Alert.firing(SeriesLabels.of(labels), Map.of(), T0);
    }

    static InhibitRule rule(String source, String target, String... equal) {
        return new InhibitRule(MatcherParser.parseList(source), MatcherParser.parseList(target), List.of(equal));
    }

    /** critical mutes warning of the same model. */
    static final InhibitRule CRIT_OVER_WARN = rule("{severity=\"critical\"}", "{severity=\"warning\"}", "model");
    /** Alertmanager's self-inhibition case: source and target matchers overlap. */
    static final InhibitRule OVERLAP = rule("{severity=~\"critical|warning\"}", "{severity=~\"critical|warning|info\"}", "model");

    static Stream<Arguments> table() {
        Alert critFraud = alert("alertname", "AccuracyDrop", "severity", "critical", "model", "fraud");
        Alert critFraudResolved = critFraud.resolve(T0 + 10);
        return Stream.of(
                Arguments.of("a firing source mutes a target with the same equal labels", CRIT_OVER_WARN, List.of(critFraud),
                        SeriesLabels.of("alertname", "Latency", "severity", "warning", "model", "fraud"), true),
                Arguments.of("different equal label: not muted", CRIT_OVER_WARN, List.of(critFraud),
                        SeriesLabels.of("alertname", "Latency", "severity", "warning", "model", "churn"), false),
                Arguments.of("equal label missing on both sides counts as equal", CRIT_OVER_WARN,
                        List.of(alert("alertname", "X", "severity", "critical")),
                        SeriesLabels.of("alertname", "Y", "severity", "warning"), true),
                Arguments.of("equal label missing on one side only: not muted", CRIT_OVER_WARN,
                        List.of(alert("alertname", "X", "severity", "critical")),
                        SeriesLabels.of("alertname", "Y", "severity", "warning", "model", "fraud"), false),
                Arguments.of("a resolved source does not mute", CRIT_OVER_WARN, List.of(critFraudResolved),
                        SeriesLabels.of("alertname", "Latency", "severity", "warning", "model", "fraud"), false),
                Arguments.of("target matchers must match", CRIT_OVER_WARN, List.of(critFraud),
                        SeriesLabels.of("alertname", "Latency", "severity", "info", "model", "fraud"), false),
                Arguments.of("a source does not inhibit itself", CRIT_OVER_WARN, List.of(critFraud), critFraud.labels(), false),
                Arguments.of("overlapping matchers: a source does not inhibit itself", OVERLAP, List.of(critFraud),
                        critFraud.labels(), false),
                Arguments.of("overlapping matchers: nor its peers that match both sides", OVERLAP,
                        List.of(critFraud, alert("alertname", "Drift", "severity", "warning", "model", "fraud")),
                        SeriesLabels.of("alertname", "Drift", "severity", "warning", "model", "fraud"), false),
                Arguments.of("overlapping matchers: a target only, muted by a two-sided source", OVERLAP, List.of(critFraud),
                        SeriesLabels.of("alertname", "Info", "severity", "info", "model", "fraud"), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void inhibition(String name, InhibitRule rule, List<Alert> alerts, SeriesLabels target, boolean muted) {
        Inhibitor inhibitor = Inhibitor.of(List.of(rule), alerts);
        assertThat(inhibitor.mutes(target, T0 + 100)).isEqualTo(muted);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void inhibitingAlertIsAFiringSource(String name, InhibitRule rule, List<Alert> alerts, SeriesLabels target, boolean muted) {
        Alert by = Inhibitor.of(List.of(rule), alerts).inhibitingAlert(target, T0 + 100);
        if (muted) {
            assertThat(by).isNotNull();
            assertThat(rule.matchesSource(by.labels())).isTrue();
            assertThat(by.fingerprint()).isNotEqualTo(dev.modelwatch.server.alert.lifecycle.AlertFingerprint.of(target));
        } else {
            assertThat(by).isNull();
        }
    }
}
