package dev.modelwatch.server.demo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One version of the demo's neural network: an ONNX file of {@code src/main/resources/demo} (a
 * multilayer perceptron trained with PyTorch, its input scaling inside) run by ONNX Runtime on the CPU.
 */
public final class TumorModel implements AutoCloseable {
    /** A score and how long the network took to compute it. */
    public record Inference(double score, double millis) {
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final LongSupplier nanoTime;

    private TumorModel(OrtEnvironment env, OrtSession session, LongSupplier nanoTime) {
        this.env = env;
        this.session = session;
        this.nanoTime = nanoTime;
    }

    /** Loads {@code demo/model-<version>.onnx} from the class path; {@code nanoTime} times each inference. */
    public static TumorModel load(String version, LongSupplier nanoTime) {
        String resource = "/demo/model-" + version + ".onnx";
        byte[] bytes;
        try (InputStream in = TumorModel.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no model file " + resource + " on the class path");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            return new TumorModel(env, env.createSession(bytes, options), nanoTime);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The probability that the tumour described by the ten features (in {@link DemoData#FEATURES} order) is malignant. */
    public Inference score(float[] features) {
        if (features.length != DemoData.FEATURES.size()) {
            throw new IllegalArgumentException("features: expected " + DemoData.FEATURES.size() + " values, got "
                    + features.length);
        }
        long t0 = nanoTime.getAsLong();
        try (OnnxTensor input = OnnxTensor.createTensor(env, new float[][] {features});
             OrtSession.Result result = session.run(Map.of("features", input))) {
            float[][] out = (float[][]) result.get(0).getValue();
            return new Inference(out[0][0], (nanoTime.getAsLong() - t0) / 1e6);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to score: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to close a session: " + e.getMessage(), e);
        }
    }
}
