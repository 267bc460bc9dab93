package dev.modelwatch.server.api;

import dev.modelwatch.core.event.Event;
import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.auth.BodyTypes;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.server.deadletter.DeadLetterEntry;
import dev.modelwatch.server.deadletter.DeadLetters;
import dev.modelwatch.server.ingest.BodyException;
import dev.modelwatch.server.ingest.DecodedBatch;
import dev.modelwatch.server.ingest.DurableLog;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.IngestAdmission;
import dev.modelwatch.server.ingest.LogRecord;
import dev.modelwatch.server.ops.ServerMetrics;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code POST /api/v1/events} and the dead letters: events in, made durable, handed to aggregation. */
final class IngestRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(IngestRoutes.class);
    /** An answer lists at most this many rejected events. */
    private static final int MAX_LISTED_ERRORS = 100;

    /** How ingest took a request's events. */
    record IngestAnswer(int accepted, int rejected, List<DecodedBatch.EventError> errors) {
    }

    /** {@code GET /api/v1/dead-letters}. */
    record DeadLetterList(List<DeadLetterEntry> deadLetters) {
    }

    /** {@code POST /api/v1/dead-letters/{id}/replay}: the entry and how ingest took its events. */
    record DeadLetterReplay(DeadLetterEntry entry, int accepted, int rejected, List<DecodedBatch.EventError> errors) {
    }

    private final ServerConfig config;
    private final EventDecoder decoder;
    private final DurableLog log;
    private final Aggregator aggregator;
    private final IngestAdmission admission;
    private final DeadLetters deadLetters;
    private final ServerMetrics metrics;
    private final Clock clock;
    private final LongSupplier nanoTime;

    /**
     * @param nanoTime the ticker request durations are measured with ({@code System::nanoTime} in production)
     */
    IngestRoutes(ServerConfig config, EventDecoder decoder, DurableLog log, Aggregator aggregator,
                 IngestAdmission admission, DeadLetters deadLetters, ServerMetrics metrics, Clock clock,
                 LongSupplier nanoTime) {
        this.config = config;
        this.decoder = decoder;
        this.log = log;
        this.aggregator = aggregator;
        this.admission = admission;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    void register(Router r) {
        r.add(HandlerType.POST, "/api/v1/events", Access.INGEST, BodyTypes.EVENTS, this::ingest);
        r.get("/api/v1/dead-letters", Access.READ, ctx -> Answers.send(ctx, 200, new DeadLetterList(
                deadLetters.list("true".equals(ctx.queryParam("replayed"))))));
        r.get("/api/v1/dead-letters/{id}", Access.READ, ctx -> Answers.send(ctx, 200, deadLetter(ctx.pathParam("id"))));
        r.post("/api/v1/dead-letters/{id}/replay", Access.ADMIN, this::replayDeadLetter);
    }

    private void ingest(Context ctx) throws IOException {
        long t0 = nanoTime.getAsLong();
        int status = 200;
        int accepted = 0;
        int rejected = 0;
        try {
            if (!awaitBacklogBelowLimit()) {
                // read the body first: a client still sending would otherwise see a broken pipe, not the 429
                ctx.bodyInputStream().transferTo(OutputStream.nullOutputStream());
                status = 429;
                ctx.header("Retry-After", "1");
                Answers.error(ctx, 429, "overloaded: " + aggregator.queuedEvents()
                        + " events are waiting to be aggregated (about " + (aggregator.queuedEventBytes() >> 20)
                        + " MiB); retry after 1 s");
                return;
            }
            long now = clock.millis();
            byte[] raw = Bodies.readLimited(ctx, config.maxBodyBytes());
            boolean gzip = Bodies.isGzip(ctx);
            byte[] body = gzip ? Bodies.gunzip(raw, config.maxBodyBytes()) : raw;
            String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
            DecodedBatch batch;
            LogRecord.Format format;
            if (type.startsWith("application/x-ndjson") || type.startsWith("application/ndjson")
                    || type.startsWith("application/jsonl") || type.startsWith("application/jsonlines")) {
                format = LogRecord.Format.NDJSON;
                batch = decoder.decodeNdjson(body, now);
            } else if (type.startsWith("application/json") || type.isEmpty()) {
                format = LogRecord.Format.JSON;
                batch = decoder.decodeJson(body, now);
            } else {
                throw new BodyException(400, "Content-Type '" + ctx.contentType()
                        + "' is not accepted; send application/json or application/x-ndjson");
            }
            batch = admission.admit(batch);
            accepted = batch.events().size();
            rejected = batch.errors().size();
            if (!batch.events().isEmpty()) {
                // the log keeps the bytes as sent (gzip too); replay decodes them again as of `now`
                LogRecord record = new LogRecord(now, format, gzip, rejectedIndexes(batch), raw);
                try {
                    appendDurably(record, batch.events());
                } catch (ApiException e) {
                    accepted = 0;
                    rejected = 0;
                    throw e;
                }
            }
            Answers.send(ctx, 200, new IngestAnswer(accepted, rejected, listed(batch.errors())));
        } catch (BodyException e) {
            status = e.status();
            throw e;
        } catch (ApiException e) {
            status = e.status();
            throw e;
        } finally {
            metrics.onRequest(status, nanoTime.getAsLong() - t0, accepted, rejected);
        }
    }

    private static int[] rejectedIndexes(DecodedBatch batch) {
        return batch.errors().stream().mapToInt(DecodedBatch.EventError::index).toArray();
    }

    private static List<DecodedBatch.EventError> listed(List<DecodedBatch.EventError> errors) {
        return errors.size() <= MAX_LISTED_ERRORS ? errors : errors.subList(0, MAX_LISTED_ERRORS);
    }

    /** Appends a record to the ingest log and waits until it is durable; a 503 when it cannot be. */
    private void appendDurably(LogRecord record, List<Event> events) {
        try {
            log.append(record.parts(), events).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            String why = e instanceof ExecutionException && e.getCause() != null ? e.getCause().getMessage()
                    : "no answer from the ingest log in 60 s";
            throw new ApiException(503, "the events could not be made durable (" + why
                    + "); nothing of this request was accepted, retry it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted before the events were durable; retry");
        }
    }

    /**
     * Waits up to {@code ingest.max_queue_wait} for the events waiting for aggregation to fall
     * below {@code ingest.max_queued_events} and their estimated heap below
     * {@code limits.max_queued_event_bytes}, woken each time aggregation applies a batch; false when
     * they did not (the request gets a 429). Waiting here, rather than answering 429 at once, holds
     * the clients to the aggregator's pace without the pauses of a retry after a refusal.
     */
    private boolean awaitBacklogBelowLimit() {
        try {
            return aggregator.backlog().awaitAtMost(config.maxQueuedEvents(), config.limits().maxQueuedEventBytes(),
                    config.maxQueueWait());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private DeadLetterEntry deadLetter(String id) {
        return deadLetters.find(id).orElseThrow(() -> new ApiException(404, "no dead-letter entry '" + id + "'"));
    }

    /**
     * Sends a dead-letter entry's events through ingest again (validated as any request is, made
     * durable, then aggregated), and moves the entry to {@code replayed/}.
     */
    private synchronized void replayDeadLetter(Context ctx) {
        DeadLetterEntry entry = deadLetter(ctx.pathParam("id"));
        if (entry.replayedAt() != null) {
            throw new ApiException(409, "dead-letter entry '" + entry.id() + "' was replayed at " + entry.replayedAt());
        }
        byte[] body = deadLetters.events(entry.id());
        long now = clock.millis();
        DecodedBatch batch = admission.admit(decoder.decodeNdjson(body, now));
        if (!batch.events().isEmpty()) {
            appendDurably(new LogRecord(now, LogRecord.Format.NDJSON, false, rejectedIndexes(batch), body), batch.events());
        }
        DeadLetterEntry done = deadLetters.markReplayed(entry.id());
        LOG.info("dead-letter entry {} replayed: {} events accepted, {} rejected", entry.id(), batch.events().size(),
                batch.errors().size());
        Answers.send(ctx, 200, new DeadLetterReplay(done, batch.events().size(), batch.errors().size(),
                listed(batch.errors())));
    }
}
