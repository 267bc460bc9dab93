package dev.modelwatch.server.api;

import dev.modelwatch.server.aggregate.Aggregator;
import dev.modelwatch.server.aggregate.ModelRegistry;
import dev.modelwatch.store.ModelRecord;
import io.javalin.http.Context;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The model a route's path names, read after every event acknowledged before the request was aggregated. */
final class ModelLookup {
    private final ModelRegistry models;
    private final Aggregator aggregator;

    ModelLookup(ModelRegistry models, Aggregator aggregator) {
        this.models = models;
        this.aggregator = aggregator;
    }

    /** The {@code {model}} of the path; 400 for a name no model can have, 404 for no such model. */
    ModelRecord model(Context ctx) {
        String name = RequestParams.modelName(ctx);
        // a model first seen in events acknowledged a moment ago may not be aggregated yet
        if (models.get(name).isEmpty()) {
            awaitApplied();
        }
        return models.get(name).orElseThrow(() -> new ApiException(404, "unknown model '" + name + "'"));
    }

    /** Returns once every event acknowledged before this call has been aggregated (read-your-writes). */
    void awaitApplied() {
        try {
            aggregator.ask(a -> Boolean.TRUE).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new dev.modelwatch.server.aggregate.RuntimeBusyException("the aggregation runtime did not answer "
                    + "within 30 s: it is still applying the events queued before this request; retry");
        }
    }
}
