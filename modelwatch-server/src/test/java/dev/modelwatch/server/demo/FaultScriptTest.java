package dev.modelwatch.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultScriptTest {
    @Test
    void eachFaultRunsFromItsStartToItsEndAndTheScriptRepeats() {
        assertThat(FaultScript.at(Duration.ZERO)).isNull();
        assertThat(FaultScript.at(Duration.ofMinutes(69))).isNull();
        for (FaultScript.Fault f : FaultScript.FAULTS) {
            assertThat(FaultScript.at(f.start())).isEqualTo(f);
            assertThat(FaultScript.at(f.end().minusMillis(1))).isEqualTo(f);
            assertThat(FaultScript.at(f.end())).isNotEqualTo(f);
            assertThat(FaultScript.at(f.start().plus(FaultScript.CYCLE))).isEqualTo(f);
        }
    }

    @Test
    void theFaultsAreInOrderWithoutOverlapAndEndWithinTheCycle() {
        Duration previousEnd = Duration.ZERO;
        for (FaultScript.Fault f : FaultScript.FAULTS) {
            assertThat(f.start()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(f.end()).isGreaterThan(f.start());
            previousEnd = f.end();
        }
        assertThat(previousEnd).isLessThanOrEqualTo(FaultScript.CYCLE);
        assertThat(FaultScript.FAULTS).extracting(f -> f.kind().causeKind()).containsExactly("covariate_drift",
                "data_quality", "version_regression", "infrastructure", "segment", "training");
    }
}
