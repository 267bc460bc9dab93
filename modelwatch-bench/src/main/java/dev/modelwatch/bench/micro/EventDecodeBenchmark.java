package dev.modelwatch.bench.micro;

import dev.modelwatch.bench.ParseOnlyReader;
import dev.modelwatch.bench.PredictionWorkload;
import dev.modelwatch.server.ingest.DecodedBatch;
import dev.modelwatch.server.ingest.EventDecoder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/**
 * Event decode: the server's ingest decoder ({@link EventDecoder#decodeNdjson}: parse, validate,
 * build the events) on NDJSON bodies of 100 prediction events with 20 features, against the
 * parse-only limit of the same bytes ({@link ParseOnlyReader}). Times are per event.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventDecodeBenchmark extends HotPathBenchmark {
    static final int BATCH = 100;

    private List<byte[]> bodies;
    private EventDecoder decoder;
    private ParseOnlyReader parseOnly;
    private int next;

    @Setup
    public void setUp() {
        // 100 distinct bodies (about 6 MB): more than the caches hold, as a server's requests are
        PredictionWorkload workload = MicroInputs.workload(42, 100 * BATCH, BATCH);
        bodies = workload.bodies();
        decoder = MicroInputs.decoder();
        parseOnly = new ParseOnlyReader();
        DecodedBatch first = decoder.decodeNdjson(bodies.get(0));
        if (!first.errors().isEmpty() || first.events().size() != BATCH) {
            throw new IllegalStateException("the decoder rejected generated events: " + first.errors());
        }
    }

    private byte[] nextBody() {
        byte[] body = bodies.get(next);
        next = next + 1 == bodies.size() ? 0 : next + 1;
        return body;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public DecodedBatch decode() {
        return decoder.decodeNdjson(nextBody());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int parseOnly() {
        return parseOnly.read(nextBody());
    }
}
