package dev.modelwatch.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fixed, seeded set of realistic prediction events (20 numerical features, about 600 bytes each),
 * pre-encoded as NDJSON request bodies of {@code batch} events, so that a load generator spends its
 * CPU on sending bytes, not on writing JSON.
 *
 * <p>Every event carries an {@code id} of {@value #ID_DIGITS} digits at a known offset. The server
 * counts a replayed {@code (model, id)} only once, so a client that sends the same bodies again and
 * again gets its own copy ({@link #copyFor(int)}) and stamps fresh, unique ids into it before each
 * send: a few thousand byte writes per body instead of a re-encoding.
 *
 * <pre>{@code
 * PredictionWorkload w = PredictionWorkload.generate(42, 20_000, 1_000, System.currentTimeMillis());
 * PredictionWorkload.ClientCopy copy = w.copyFor(0);
 * byte[] body = copy.next();   // 1,000 events with ids never sent before
 * }</pre>
 */
public final class PredictionWorkload {
    /** The model every generated event belongs to. */
    public static final String MODEL = "bench-fraud";
    /** Digits of every id; client {@code c} stamps {@code (c + 1) * 10^12 + sequence}. */
    public static final int ID_DIGITS = 14;
    private static final long CLIENT_ID_STRIDE = 1_000_000_000_000L;
    private static final String[] REGIONS = {"eu-west", "eu-central", "us-east", "us-west", "ap-south"};
    /** Spread of the event timestamps before {@code nowMs}: a few minutes of recent traffic. */
    private static final long TIMESTAMP_SPREAD_MS = 180_000;

    private final List<byte[]> bodies;
    private final int[][] idOffsets;
    private final int eventsPerBody;
    private final long totalBytes;

    private PredictionWorkload(List<byte[]> bodies, int[][] idOffsets, int eventsPerBody) {
        this.bodies = bodies;
        this.idOffsets = idOffsets;
        this.eventsPerBody = eventsPerBody;
        long bytes = 0;
        for (byte[] b : bodies) {
            bytes += b.length;
        }
        this.totalBytes = bytes;
    }

    /**
     * Generates {@code max(1, events / batch)} bodies of {@code batch} events each.
     *
     * @param nowMs the events' timestamps lie in the three minutes before it
     */
    public static PredictionWorkload generate(long seed, int events, int batch, long nowMs) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        if (events < 1) {
            throw new IllegalArgumentException("events must be >= 1, was " + events);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int bodyCount = Math.max(1, events / batch);
        List<byte[]> bodies = new ArrayList<>(bodyCount);
        int[][] offsets = new int[bodyCount][batch];
        StringBuilder sb = new StringBuilder(batch * 640);
        long id = 0;
        for (int b = 0; b < bodyCount; b++) {
            sb.setLength(0);
            for (int i = 0; i < batch; i++) {
                offsets[b][i] = appendEvent(sb, random, id++, nowMs);
                sb.append('\n');
            }
            // the body is ASCII, so a char offset is a byte offset
            bodies.add(sb.toString().getBytes(StandardCharsets.US_ASCII));
        }
        return new PredictionWorkload(Collections.unmodifiableList(bodies), offsets, batch);
    }

    /** Appends one event; returns the offset of the first digit of its id. */
    private static int appendEvent(StringBuilder sb, SplittableRandom r, long id, long nowMs) {
        sb.append("{\"type\":\"prediction\",\"model\":\"").append(MODEL).append("\",\"id\":\"p");
        int idOffset = sb.length();
        appendDigits(sb, id);
        sb.append("\",\"version\":\"").append(r.nextInt(10) == 0 ? "v4" : "v3").append('"');
        sb.append(",\"timestamp\":").append(nowMs - r.nextLong(TIMESTAMP_SPREAD_MS));
        double amount = Math.exp(3.5 + 1.2 * gaussian(r));
        sb.append(",\"features\":{\"amount\":").append(round(amount, 2));
        sb.append(",\"account_age_days\":").append(r.nextInt(3_650));
        sb.append(",\"txn_count_24h\":").append(r.nextInt(40));
        sb.append(",\"txn_count_7d\":").append(r.nextInt(200));
        sb.append(",\"avg_amount_30d\":").append(round(Math.exp(3.4 + 0.8 * gaussian(r)), 2));
        sb.append(",\"distance_km\":").append(round(Math.abs(40 * gaussian(r)), 3));
        sb.append(",\"hour_of_day\":").append(r.nextInt(24));
        double risk = r.nextDouble();
        sb.append(",\"merchant_risk\":").append(round(risk, 4));
        sb.append(",\"device_score\":").append(round(r.nextDouble(), 4));
        sb.append(",\"ip_reputation\":").append(round(r.nextDouble(), 4));
        for (int e = 0; e < 10; e++) {
            // an embedding exported from float32, as most serving stacks do
            sb.append(",\"emb_").append(e).append("\":").append((float) (gaussian(r) * 0.5));
        }
        double score = 1 / (1 + Math.exp(-(4 * risk - 3 + 0.5 * gaussian(r))));
        sb.append("},\"prediction\":").append(score >= 0.5 ? 1 : 0);
        sb.append(",\"score\":").append(round(score, 6));
        sb.append(",\"latency_ms\":").append(round(Math.exp(2 + 0.4 * gaussian(r)), 3));
        sb.append(",\"segments\":{\"region\":\"").append(REGIONS[r.nextInt(REGIONS.length)]).append("\"}}");
        return idOffset;
    }

    private static void appendDigits(StringBuilder sb, long v) {
        String s = Long.toString(v);
        for (int i = s.length(); i < ID_DIGITS; i++) {
            sb.append('0');
        }
        sb.append(s);
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }

    /** The bodies, shared and read-only: for the in-process phases, which never reach the server. */
    public List<byte[]> bodies() {
        return bodies;
    }

    public int eventsPerBody() {
        return eventsPerBody;
    }

    public int eventCount() {
        return bodies.size() * eventsPerBody;
    }

    public long totalBytes() {
        return totalBytes;
    }

    public double meanEventBytes() {
        return (double) totalBytes / eventCount();
    }

    /** A private copy of the bodies for client {@code client} (0 to 98), whose ids no other client uses. */
    public ClientCopy copyFor(int client) {
        return copyFor(client, false);
    }

    /**
     * A private copy whose ids are, with {@code scattered}, spread over the client's whole id range
     * in no order (as UUIDs are) rather than ascending: still unique, since the sequence number goes
     * through a bijection of {@code [0, 2^39)}.
     */
    public ClientCopy copyFor(int client, boolean scattered) {
        if (client < 0 || client > 98) {
            throw new IllegalArgumentException("client must be in [0, 98], was " + client);
        }
        List<byte[]> copies = new ArrayList<>(bodies.size());
        for (byte[] b : bodies) {
            copies.add(b.clone());
        }
        return new ClientCopy(copies, idOffsets, (client + 1) * CLIENT_ID_STRIDE, scattered);
    }

    /** One client's bodies; not thread-safe (one client thread owns it). */
    public static final class ClientCopy {
        private final List<byte[]> bodies;
        private final int[][] idOffsets;
        /** 2^39 - 1: the scattered ids stay below the client stride of 10^12. */
        private static final long SCATTER_MASK = (1L << 39) - 1;
        /**
         * 2^39 divided by the golden ratio, made odd: multiplying by it modulo 2^39 is a bijection,
         * and consecutive sequence numbers land far apart all over the range.
         */
        private static final long SCATTER_MULTIPLIER = 0x4F1BBCDCBFL;
        private final long idBase;
        private final boolean scattered;
        private long sequence;
        private int next;

        private ClientCopy(List<byte[]> bodies, int[][] idOffsets, long idBase, boolean scattered) {
            this.bodies = bodies;
            this.idOffsets = idOffsets;
            this.idBase = idBase;
            this.scattered = scattered;
        }

        /**
         * The next body, with fresh ids stamped in. The array is reused: send it, wait for the
         * answer, then ask for the next one.
         */
        public byte[] next() {
            int i = next;
            next = (next + 1) % bodies.size();
            byte[] body = bodies.get(i);
            for (int offset : idOffsets[i]) {
                long s = sequence++;
                long v = idBase + (scattered ? (s * SCATTER_MULTIPLIER) & SCATTER_MASK : s);
                for (int d = offset + ID_DIGITS - 1; d >= offset; d--) {
                    body[d] = (byte) ('0' + (v % 10));
                    v /= 10;
                }
            }
            return body;
        }
    }
}
