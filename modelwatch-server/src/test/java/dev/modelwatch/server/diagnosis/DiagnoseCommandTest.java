package dev.modelwatch.server.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code modelwatch diagnose}'s command line: help, required options, unknown flags, an unreachable server. */
class DiagnoseCommandTest {
    @Test
    void helpListsEveryOption() {
        DiagnoseCli r = DiagnoseCli.run("diagnose", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--model", "--from", "--to", "--onset", "--alerts", "--json", "--server", "--token-env");
    }

    @Test
    void anUnknownFlagIsExitCodeTwoWithTheUsage() {
        DiagnoseCli r = DiagnoseCli.run("diagnose", "--model", "m", "--from", "1", "--to", "2", "--colour");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--colour").contains("Usage: modelwatch diagnose");
    }

    @Test
    void theRangeIsRequired() {
        DiagnoseCli r = DiagnoseCli.run("diagnose", "--model", "m");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--from").contains("--to");
    }

    @Test
    void anUnreachableServerIsExitCodeOneWithTheReason() {
        DiagnoseCli r = DiagnoseCli.run("diagnose", "--model", "m", "--from", "1", "--to", "2", "--server",
                "http://127.0.0.1:1");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach http://127.0.0.1:1");
    }
}
