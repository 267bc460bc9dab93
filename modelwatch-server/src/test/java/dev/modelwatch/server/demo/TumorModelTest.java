package dev.modelwatch.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's scores of the demo's networks against PyTorch's, written for every test row by the
 * script that trained them ({@code src/main/resources/demo/train.py}, fixture
 * {@code fixtures/demo/scores.csv}).
 */
class TumorModelTest {
    @Test
    void onnxRuntimeScoresAsPyTorchDid() throws IOException {
        List<DemoData.Row> rows = DemoData.load().rows();
        List<String> lines = fixture();
        assertThat(lines.get(0)).isEqualTo("row,v1,v2");
        assertThat(lines).hasSize(87);  // the 86 test rows
        AtomicLong nanos = new AtomicLong();
        try (TumorModel v1 = TumorModel.load("v1", () -> nanos.getAndAdd(250_000));
             TumorModel v2 = TumorModel.load("v2", () -> nanos.getAndAdd(250_000))) {
            int v1Right = 0;
            int v2Right = 0;
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split(",");
                DemoData.Row row = rows.get(Integer.parseInt(c[0]));
                assertThat(row.split()).isEqualTo("test");
                TumorModel.Inference a = v1.score(row.features());
                TumorModel.Inference b = v2.score(row.features());
                assertThat(a.score()).as("v1, row %s", c[0]).isCloseTo(Double.parseDouble(c[1]), within(1e-5));
                assertThat(b.score()).as("v2, row %s", c[0]).isCloseTo(Double.parseDouble(c[2]), within(1e-5));
                assertThat(a.millis()).as("timed with the injected nanoTime").isEqualTo(0.25);
                v1Right += (a.score() >= 0.5 ? 1 : 0) == row.label() ? 1 : 0;
                v2Right += (b.score() >= 0.5 ? 1 : 0) == row.label() ? 1 : 0;
            }
            // the README's figures: accuracy 0.919 (v1) and 0.663 (v2) on the test rows
            assertThat(v1Right).isEqualTo(79);
            assertThat(v2Right).isEqualTo(57);
        }
    }

    @Test
    void aWrongNumberOfFeaturesIsRefusedNamingTheCount() {
        try (TumorModel v1 = TumorModel.load("v1", System::nanoTime)) {
            assertThatThrownBy(() -> v1.score(new float[3]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("features: expected 10 values, got 3");
        }
    }

    private static List<String> fixture() throws IOException {
        try (InputStream in = TumorModelTest.class.getResourceAsStream("/fixtures/demo/scores.csv")) {
            assertThat(in).as("fixtures/demo/scores.csv").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
