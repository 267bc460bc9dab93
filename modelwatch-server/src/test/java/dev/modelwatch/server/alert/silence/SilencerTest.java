package dev.modelwatch.server.alert.silence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.json.Json;
import dev.modelwatch.server.alert.dispatch.MatcherParser;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SilencerTest {
    static final long T0 = 1_800_000_000_000L;
    static final long H = 3_600_000L;

    static Silence silence(String id, String matchers, long start, long end) {
        return new Silence(id, MatcherParser.parseList(matchers), start, end, "alice", "maintenance");
    }

    static Stream<Arguments> matching() {
        SeriesLabels fraudCritical = SeriesLabels.of("alertname", "AccuracyDrop", "model", "fraud", "severity", "critical");
        return Stream.of(
                Arguments.of("all matchers match", "{model=\"fraud\", severity=\"critical\"}", fraudCritical, true),
                Arguments.of("one matcher fails", "{model=\"fraud\", severity=\"warning\"}", fraudCritical, false),
                Arguments.of("regex is anchored", "{model=~\"fra\"}", fraudCritical, false),
                Arguments.of("regex alternatives", "{model=~\"churn|fraud\"}", fraudCritical, true),
                Arguments.of("negative regex", "{model!~\"fr.*\", severity=\"critical\"}", fraudCritical, false),
                Arguments.of("not equal", "{model!=\"churn\", severity=\"critical\"}", fraudCritical, true),
                Arguments.of("missing label matches the empty string", "{model=\"fraud\", region=\"\"}", fraudCritical, true),
                Arguments.of("a missing label is not any value", "{region=~\".+\"}", fraudCritical, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matching")
    void silenceMatchesWhenAllMatchersMatch(String name, String matchers, SeriesLabels alert, boolean muted) {
        Silence s = silence("s1", matchers, T0, T0 + H);
        assertThat(s.matches(alert)).isEqualTo(muted);
        assertThat(Silencer.of(List.of(s)).mutes(alert, T0 + 1)).isEqualTo(muted);
    }

    @Test
    void aSilenceIsActiveFromItsStartToItsEndInclusive() {
        Silence s = silence("s1", "{model=\"fraud\"}", T0, T0 + H);
        SeriesLabels a = SeriesLabels.of("model", "fraud");
        assertThat(s.state(T0 - 1)).isEqualTo(SilenceState.PENDING);
        assertThat(s.state(T0)).isEqualTo(SilenceState.ACTIVE);
        assertThat(s.state(T0 + H)).isEqualTo(SilenceState.ACTIVE);
        assertThat(s.state(T0 + H + 1)).isEqualTo(SilenceState.EXPIRED);
        assertThat(s.mutes(a, T0 - 1)).isFalse();
        assertThat(s.mutes(a, T0 + H)).isTrue();
        assertThat(s.mutes(a, T0 + H + 1)).isFalse();
    }

    @Test
    void validationReportsEveryProblemNamingTheField() {
        assertThat(Silence.problems("", List.of(), T0, T0, " ")).containsExactly("id: missing",
                "matchers: at least one matcher is required", "ends_at: must be after starts_at", "created_by: missing");
        assertThat(Silence.problems("s", MatcherParser.parseList("{team=~\".*\", env=\"\"}"), T0, T0 + 1, "bob"))
                .containsExactly("matchers: at least one matcher must not match the empty string (this silence would mute every alert)");
        assertThat(Silence.problems("s", MatcherParser.parseList("{team=~\".*\", env=\"prod\"}"), T0, T0 + 1, "bob")).isEmpty();
        assertThatThrownBy(() -> new Silence("s", List.of(LabelMatcher.equal("a", "b")), T0 + 1, T0, "bob", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ends_at: must be after starts_at");
    }

    @Test
    void eachSilenceCountsTheDistinctAlertsItSuppressed() {
        Silence fraud = silence("fraud", "{model=\"fraud\"}", T0, T0 + H);
        Silence critical = silence("critical", "{severity=\"critical\"}", T0, T0 + H);
        Silence later = silence("later", "{model=\"fraud\"}", T0 + 2 * H, T0 + 3 * H);
        Silencer silencer = Silencer.of(List.of(fraud, critical, later));
        SeriesLabels a = SeriesLabels.of("alertname", "A", "model", "fraud", "severity", "critical");
        SeriesLabels b = SeriesLabels.of("alertname", "B", "model", "fraud");
        SeriesLabels c = SeriesLabels.of("alertname", "C", "model", "churn");
        for (int i = 0; i < 5; i++) {
            assertThat(silencer.mutes(a, T0 + i)).isTrue();
            assertThat(silencer.mutes(b, T0 + i)).isTrue();
            assertThat(silencer.mutes(c, T0 + i)).isFalse();
        }
        assertThat(silencer.suppressedCount("fraud")).isEqualTo(2);
        assertThat(silencer.suppressedCount("critical")).isEqualTo(1);
        assertThat(silencer.suppressedCount("later")).isZero();
        assertThat(silencer.suppressedCount("unknown")).isZero();
        assertThat(silencer.mutingSilences(a, T0)).extracting(Silence::id).containsExactly("fraud", "critical");
        // mutingSilences counts nothing
        assertThat(silencer.mutingSilences(SeriesLabels.of("severity", "critical", "x", "1"), T0)).hasSize(1);
        assertThat(silencer.suppressedCount("critical")).isEqualTo(1);
    }

    @Test
    void countsCarryOverToANewSilencerAndRoundTrip() throws Exception {
        Silence fraud = silence("fraud", "{model=\"fraud\"}", T0, T0 + H);
        Silencer first = Silencer.of(List.of(fraud));
        first.mutes(SeriesLabels.of("alertname", "A", "model", "fraud"), T0);
        SilenceCounts stored = Json.read(Json.bytes(StoredSilences.of(List.of(), first.counts())), StoredSilences.class,
                "silences").toCounts();
        assertThat(stored).isEqualTo(first.counts());
        Silencer second = Silencer.of(List.of(fraud, silence("other", "{x=\"1\"}", T0, T0 + H)), stored);
        second.mutes(SeriesLabels.of("alertname", "A", "model", "fraud"), T0 + 1);
        second.mutes(SeriesLabels.of("alertname", "B", "model", "fraud"), T0 + 1);
        assertThat(second.suppressedCount("fraud")).isEqualTo(2);
        assertThat(Silencer.of(List.of(), stored).counts().suppressed()).isEmpty();
    }

    @Test
    void silenceRoundTripsThroughJson() throws Exception {
        Silence s = silence("s1", "{model=~\"fraud|churn\", env!=\"dev\", msg=\"a \\\"quoted\\\" value\"}", T0, T0 + H);
        Silence back = Json.read(Json.bytes(StoredSilences.Entry.of(s)), StoredSilences.Entry.class, "silence").toSilence();
        assertThat(back).isEqualTo(s);
        assertThat(back.matchers().get(2).value()).isEqualTo("a \"quoted\" value");
    }

    @Test
    void duplicateSilenceIdsAreRefused() {
        Silence s = silence("s1", "{a=\"b\"}", T0, T0 + H);
        assertThatThrownBy(() -> Silencer.of(List.of(s, s))).hasMessageContaining("id 's1' is given twice");
    }
}
