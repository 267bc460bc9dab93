package dev.modelwatch.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelwatch.core.drift.Reference;
import dev.modelwatch.core.drift.ReferenceBuilder;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.server.auth.Access;
import dev.modelwatch.server.auth.BodyTypes;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.server.drift.ReferenceReader;
import dev.modelwatch.server.ingest.BodyException;
import dev.modelwatch.server.time.Times;
import dev.modelwatch.store.ModelRecord;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoredReference;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** A model's reference data sets (upload, list, delete) and its drift against them. */
final class DriftRoutes {
    /** One rejected reference row. */
    record RowError(long index, String error) {
    }

    /**
     * How an upload went: always the counts and errors; {@code error} when no row was valid, else
     * what was fitted on the rows.
     */
    record UploadAnswer(String model, String version, long accepted, long rejected, List<RowError> errors,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String error,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Integer features,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Long labeled,
                        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> multivariateFeatures,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean calibrated) {
    }

    /** A stored reference: {@code version} null when it serves every version without one of its own. */
    record ReferenceAnswer(String version, String source, long rows, String uploadedAt) {
    }

    record ReferenceList(String model, List<ReferenceAnswer> references) {
    }

    private final ModelLookup lookup;
    private final ModelRegistry models;
    private final Store store;
    private final DriftService drift;
    private final ReferenceReader reader;
    private final Clock clock;

    DriftRoutes(ModelLookup lookup, ModelRegistry models, Store store, DriftService drift, ReferenceReader reader,
                Clock clock) {
        this.lookup = lookup;
        this.models = models;
        this.store = store;
        this.drift = drift;
        this.reader = reader;
        this.clock = clock;
    }

    void register(Router r) {
        r.add(HandlerType.PUT, "/api/v1/models/{model}/reference", Access.ADMIN, BodyTypes.REFERENCE, this::upload);
        r.get("/api/v1/models/{model}/reference", Access.READ, this::list);
        r.delete("/api/v1/models/{model}/reference", Access.ADMIN, this::delete);
        r.get("/api/v1/models/{model}/drift", Access.READ, ctx -> {
            ModelRecord m = lookup.model(ctx);
            RequestParams.Range range = RequestParams.range(ctx, clock.millis());
            Answers.send(ctx, 200, drift.drift(m, range.version(), range.segment(), range.from(), range.to()));
        });
    }

    private void upload(Context ctx) throws IOException {
        ModelRecord m = lookup.model(ctx);
        String version = ctx.queryParam("version");
        if (version != null && (version.isEmpty() || version.length() > 128)) {
            throw new ApiException(400, "version: must be 1 to 128 characters");
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        boolean csv = type.startsWith("text/csv") || type.startsWith("application/csv");
        if (!csv && !type.startsWith("application/json") && !type.isEmpty()) {
            throw new BodyException(400, "Content-Type '" + ctx.contentType()
                    + "' is not accepted; send application/json or text/csv");
        }
        InputStream in = ctx.req().getInputStream();
        if (Bodies.isGzip(ctx)) {
            try {
                in = new GZIPInputStream(in, 1 << 16);
            } catch (ZipException e) {
                throw new BodyException(400, "Content-Encoding is gzip but the body is not gzip: " + e.getMessage());
            }
        }
        ReferenceBuilder builder = new ReferenceBuilder(m.spec());
        ReferenceReader.Outcome outcome;
        try {
            outcome = csv
                    ? reader.readCsv(in, r -> builder.add(r.features(), r.prediction(), r.score(), r.scores(), r.label()))
                    : reader.readJson(in, r -> builder.add(r.features(), r.prediction(), r.score(), r.scores(), r.label()));
        } catch (ZipException e) {
            throw new BodyException(400, "corrupt gzip body: " + e.getMessage());
        }
        List<RowError> errors = outcome.errors().stream().map(e -> new RowError(e.index(), e.reason())).toList();
        if (outcome.accepted() == 0) {
            Answers.send(ctx, 400, new UploadAnswer(m.name(), version, 0, outcome.rejected(), errors,
                    "no valid rows: the reference was not stored"
                            + (store.findReference(m.name(), version).isPresent() ? " and the previous one is kept" : ""),
                    null, null, null, null));
            return;
        }
        Reference reference = builder.build(outcome.featureImportances());
        store.putReference(new StoredReference(m.name(), version == null ? StoredReference.ANY_VERSION : version,
                Reference.UPLOAD, outcome.accepted(), clock.millis(), reference.toBytes()));
        drift.invalidate(m.name());
        models.markChanged(m.name(), clock.millis());
        Answers.send(ctx, 200, new UploadAnswer(m.name(), version, outcome.accepted(), outcome.rejected(), errors, null,
                reference.profile().features().size(), reference.profile().labeled(),
                reference.multivariate() == null ? List.of() : reference.multivariate().featuresUsed(),
                !reference.calibrators().isEmpty()));
    }

    private void list(Context ctx) {
        ModelRecord m = lookup.model(ctx);
        List<ReferenceAnswer> refs = store.references(m.name()).stream()
                .map(r -> new ReferenceAnswer(r.version().isEmpty() ? null : r.version(), r.source(), r.rows(),
                        Times.format(r.createdAtMs())))
                .toList();
        Answers.send(ctx, 200, new ReferenceList(m.name(), refs));
    }

    private void delete(Context ctx) {
        ModelRecord m = lookup.model(ctx);
        String version = ctx.queryParam("version");
        boolean deleted = store.deleteReference(m.name(), version == null ? StoredReference.ANY_VERSION : version);
        drift.invalidate(m.name());
        models.markChanged(m.name(), clock.millis());
        if (!deleted) {
            throw new ApiException(404, "no uploaded reference of '" + m.name() + "'"
                    + (version == null ? " for every version" : " for version '" + version + "'"));
        }
        ctx.status(204);
    }
}
