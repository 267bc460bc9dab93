package dev.modelwatch.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.server.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
    @Test
    void aBadSpeedOrPortIsAnErrorNamingTheFlagWithExitCodeTwo() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("demo", "--speed", "0.5")).isEqualTo(2);
        assertThat(err.toString()).contains("--speed must be a number >= 1, was 0.5").contains("Usage: modelwatch demo");
        StringWriter err2 = new StringWriter();
        assertThat(Main.commandLine().setErr(new PrintWriter(err2)).execute("demo", "--port", "70000")).isEqualTo(2);
        assertThat(err2.toString()).contains("--port must be 0..65535, was 70000");
    }

    @Test
    void helpNamesTheDemosFlags() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("demo", "--help")).isZero();
        assertThat(out.toString()).contains("--speed").contains("default 60: one demo hour").contains("--data-dir");
    }
}
