package dev.modelwatch.server.alert.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.core.rules.SeriesLabels;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AnnotationTemplateTest {
    private static final SeriesLabels LABELS = SeriesLabels.of("__name__", "accuracy", "model", "fraud", "version", "v3");

    /** printf of floats, against Python's %-formatting (same rules as Go's fmt; see printf_fixture.py). */
    static Stream<Arguments> printfFixture() throws IOException {
        try (InputStream in = AnnotationTemplateTest.class.getResourceAsStream("/fixtures/alert/printf_cases.json")) {
            List<Map<String, String>> cases = new ObjectMapper().readValue(in, new TypeReference<>() { });
            return cases.stream().map(c -> Arguments.of(c.get("format"), c.get("value"), c.get("expected")));
        }
    }

    @ParameterizedTest(name = "printf \"{0}\" {1} = \"{2}\"")
    @MethodSource("printfFixture")
    void printfOfValueMatchesGoFormatting(String format, String value, String expected) {
        String escaped = format.replace("\\", "\\\\").replace("\"", "\\\"");
        AnnotationTemplate t = AnnotationTemplate.parse("{{ $value | printf \"" + escaped + "\" }}");
        assertThat(t.expand(LABELS, Double.parseDouble(value))).isEqualTo(expected);
        // the function-call form gives the same text
        assertThat(AnnotationTemplate.parse("{{ printf \"" + escaped + "\" $value }}").expand(LABELS, Double.parseDouble(value)))
                .isEqualTo(expected);
    }

    /** {{ $value }} is Go's %v of a float64: shortest digits, exponent form below 1e-4 and from 1e+06. */
    @ParameterizedTest(name = "$value of {0} is written {1}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "0.7 => 0.7", "123456 => 123456", "1000000 => 1e+06", "1234567 => 1.234567e+06", "0.0001 => 0.0001",
        "0.00001 => 1e-05", "0 => 0", "-0.0 => -0", "100 => 100", "1e21 => 1e+21", "5e-324 => 5e-324",
        "0.30000000000000004 => 0.30000000000000004", "-2.5 => -2.5", "NaN => NaN", "Infinity => +Inf",
        "-Infinity => -Inf", "0.1 => 0.1", "1e100 => 1e+100", "123456.7 => 123456.7"})
    void valueIsWrittenAsGoWritesAFloat(String value, String expected) {
        assertThat(AnnotationTemplate.parse("{{ $value }}").expand(LABELS, Double.parseDouble(value))).isEqualTo(expected);
        assertThat(AnnotationTemplate.parse("{{.Value}}").expand(LABELS, Double.parseDouble(value))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "accuracy of {{ $labels.model }} is {{ $value }} => accuracy of fraud is 0.71234",
        "{{ $labels.model }}/{{ .Labels.version }} => fraud/v3",
        "missing label: [{{ $labels.region }}] => missing label: []",
        "{{ $value | printf \"%.3f\" }} => 0.712",
        "{{ printf \"%s at %.1f%%\" $labels.model $value }} => fraud at 0.7%",
        "{{ printf \"%v/%v\" $labels.version $value }} => v3/0.71234",
        "{{ printf \"%-6s|\" $labels.model }} => fraud |",
        "{{ printf \"%.3s\" $labels.model }} => fra",
        "a  {{- $labels.model -}}  b => afraudb",
        "x{{/* a comment */}}y => xy",
        "no actions at all => no actions at all",
        "{{ $value | printf `%.1f` }} => 0.7",
        "{{ $labels }} => {__name__=\"accuracy\", model=\"fraud\", version=\"v3\"}",
        "{{ if $value }}x{{ end }} => x",
        "{{ if gt $value 0.5 }}high{{ else }}low{{ end }} => high",
        "{{ if lt .Value 0.5 }}low{{ else if eq $labels.model \"fraud\" }}fraud{{ end }} => fraud",
        "{{ \"text\" }} => text",
        "{{ index $labels \"version\" }}|{{ index .Labels \"region\" }}| => v3||",
        "{{ $value | printf \"%.2f\" | printf \"%s\" }} => 0.71",
        "{{ len $labels.model }} {{ $labels.model | toUpper }} => 5 FRAUD",
        "{{ or $labels.region \"none\" }} => none"})
    void templatesExpandLabelsAndValue(String template, String expected) {
        assertThat(AnnotationTemplate.parse(template).expand(LABELS, 0.71234)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
        "accuracy {{ $labels.model } => unexpected '}' in an action at column 27",
        "{{ humanize $value }} => unknown function 'humanize' (functions: and, eq, ge, gt, index, le, len, lt, ne, not, or, printf, title, toLower, toUpper, values) at column 4",
        "{{ $value | printf \"%d\" }} => printf \"%d\": argument 1 is a float but %d needs an integer (%.0f writes a float without decimals) at column 13",
        "{{ $foo }} => unknown variable '$foo' (variables: $, $labels, $value) at column 4",
        "{{ $labels.my-label }} => unexpected '-' in an action at column 14",
        "{{ printf \"%.2f\" $labels.model }} => argument 1 is a string but its verb needs a float (%f %e %g; %d for integers)",
        "{{ $value | printf \"%s\" }} => argument 1 is a float but its verb needs a string (%s; %v for other values)",
        "{{ printf \"%.2f %.2f\" $value }} => takes 2 argument(s), was given 1",
        "{{ }} => empty action {{ }} at column 1",
        "{{ $value | }} => '|' without a function after it at column 12",
        "{{ $value | printf \"%x\" }} => verb %x is not supported",
        "{{ if gt $value 1 }}x{{ end }} => gt needs two numbers or two strings, was given a float and a number (write a float literal as 1.0)",
        "{{ with $value }}x{{ end }} => {{ with }} is not supported",
        "{{ printf }} => printf needs a format string",
        "{{ .Foo }} => unknown field .Foo (fields of the alert's series: Labels, Value) at column 4"})
    void badTemplatesAreRejectedAtLoadTimeWithTheColumn(String template, String message) {
        assertThatThrownBy(() -> AnnotationTemplate.parse(template))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .hasMessageStartingWith("template \"" + template + "\"");
    }
}
