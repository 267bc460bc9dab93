package dev.modelwatch.server.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.LabelMatcher.Type;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatcherParserTest {
    @Test
    void matchersInAlertmanagerSyntax() {
        assertThat(MatcherParser.parse("severity=\"critical\"")).isEqualTo(LabelMatcher.equal("severity", "critical"));
        assertThat(MatcherParser.parse("team!=ops")).isEqualTo(LabelMatcher.of("team", Type.NOT_EQUAL, "ops"));
        assertThat(MatcherParser.parse(" model =~ \"fraud|churn\" ")).isEqualTo(LabelMatcher.of("model", Type.REGEX, "fraud|churn"));
        assertThat(MatcherParser.parse("env!~dev.*")).isEqualTo(LabelMatcher.of("env", Type.NOT_REGEX, "dev.*"));
        assertThat(MatcherParser.parse("msg=\"a \\\"b\\\" \\\\ c\"").value()).isEqualTo("a \"b\" \\ c");
        assertThat(MatcherParser.parse("region=\"\"")).isEqualTo(LabelMatcher.equal("region", ""));
        assertThat(MatcherParser.parseList("{severity=\"critical\", team=~\"ml|data\"}")).containsExactly(
                LabelMatcher.equal("severity", "critical"), LabelMatcher.of("team", Type.REGEX, "ml|data"));
        assertThat(MatcherParser.parseList("a=1,b=2")).containsExactly(LabelMatcher.equal("a", "1"), LabelMatcher.equal("b", "2"));
        assertThat(MatcherParser.parseList("{}")).isEqualTo(List.of());
    }

    @Test
    void writtenMatchersParseBack() {
        for (LabelMatcher m : List.of(LabelMatcher.equal("a", "x\"y"), LabelMatcher.of("b", Type.NOT_REGEX, "a\\.b"),
                LabelMatcher.of("c", Type.NOT_EQUAL, "tab\there"))) {
            assertThat(MatcherParser.parse(m.toString())).isEqualTo(m);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "=critical => expected a label name at column 1",
        "sev critical => expected one of = != =~ !~ after 'sev'",
        "sev=\"critical => unterminated quoted value",
        "model=~\"(fraud\" => invalid regular expression",
        "a=\"b\" c => unexpected 'c' after the matcher",
        "a=\"\\q\" => unknown escape '\\q'"})
    void badMatchersSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> MatcherParser.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).hasMessageStartingWith("matcher '" + text + "'");
    }

    @Test
    void aListNeedsItsClosingBrace() {
        assertThatThrownBy(() -> MatcherParser.parseList("{a=\"b\"")).hasMessageContaining("missing '}'");
    }
}
