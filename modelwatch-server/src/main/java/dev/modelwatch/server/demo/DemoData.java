package dev.modelwatch.server.demo;

import dev.modelwatch.server.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's data, from {@code src/main/resources/demo} (see its README): the Wisconsin Diagnostic
 * Breast Cancer rows with their split, and the real training curves of the network.
 */
public final class DemoData {
    /** The network's inputs, in order. */
    public static final List<String> FEATURES = List.of("radius", "texture", "perimeter", "area", "smoothness",
            "compactness", "concavity", "concave_points", "symmetry", "fractal_dimension");

    /** One tumour: its ten features and whether it is malignant. */
    public record Row(float[] features, int label, String split) {
    }

    /** One optimizer step of a training run as {@code train.py} recorded it. */
    public record Step(int step, int epoch, double loss, double gradNorm, double lr, double gradNormFc1,
                       double gradNormFc2, double gradNormFc3) {
    }

    /** The validation after an epoch. */
    public record Validation(int step, int epoch, double valLoss, double valAccuracy) {
    }

    /** A whole recorded training run. */
    public record Curves(String run, String model, String optimizer, double maxLr, int batchSize, int epochs,
                         List<Step> steps, List<Validation> validation, Double testAccuracy) {
    }

    private final List<Row> rows;

    private DemoData(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** Reads {@code demo/data.csv}. */
    public static DemoData load() {
        String text = new String(resource("data.csv"), StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        String expected = String.join(",", FEATURES) + ",label,split";
        if (!lines[0].trim().equals(expected)) {
            throw new IllegalStateException("demo/data.csv: header must be " + expected + ", is " + lines[0]);
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] cells = lines[i].trim().split(",");
            if (cells.length != FEATURES.size() + 2) {
                throw new IllegalStateException("demo/data.csv line " + (i + 1) + ": expected " + (FEATURES.size() + 2)
                        + " cells, got " + cells.length);
            }
            float[] f = new float[FEATURES.size()];
            for (int j = 0; j < f.length; j++) {
                f[j] = Float.parseFloat(cells[j]);
            }
            rows.add(new Row(f, Integer.parseInt(cells[FEATURES.size()]), cells[FEATURES.size() + 1]));
        }
        return new DemoData(rows);
    }

    /** Every row, in the file's order. */
    public List<Row> rows() {
        return rows;
    }

    /** The rows of one split: {@code train}, {@code val} or {@code test}. */
    public List<Row> split(String name) {
        List<Row> out = rows.stream().filter(r -> r.split().equals(name)).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("split: no rows in '" + name + "' (train, val, test)");
        }
        return out;
    }

    /** The mean of each feature over the training rows: what the serving code fills a missing value with. */
    public float[] trainingMeans() {
        List<Row> train = split("train");
        float[] m = new float[FEATURES.size()];
        for (Row r : train) {
            for (int j = 0; j < m.length; j++) {
                m[j] += r.features()[j] / train.size();
            }
        }
        return m;
    }

    /** Reads a recorded training run: {@code training-v1.json} or {@code training-diverge.json}. */
    public static Curves curves(String file) {
        return Json.read(resource(file), Curves.class, "demo/" + file);
    }

    private static byte[] resource(String name) {
        try (InputStream in = DemoData.class.getResourceAsStream("/demo/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no demo/" + name + " on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read demo/" + name, e);
        }
    }
}
