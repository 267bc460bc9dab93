package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.SeriesSource;
import dev.modelwatch.server.alert.notify.RetryPolicy;
import dev.modelwatch.store.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Builds an {@link AlertRuntime}; {@link #build} names what is missing. */
public final class AlertRuntimeBuilder {
    final AlertingConfig config;
    final Store store;
    final SeriesSource source;
    Clock clock;
    RandomGenerator.SplittableGenerator random;
    Supplier<? extends Collection<Long>> windowLengths = List::of;
    AlertRuntime.Observer observer = AlertRuntime.Observer.NONE;
    RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    AlertListener listener = AlertListener.NONE;

    AlertRuntimeBuilder(AlertingConfig config, Store store, SeriesSource source) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.source = Objects.requireNonNull(source, "source");
    }

    /** The clock every evaluation and delivery reads (required). */
    public AlertRuntimeBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** The random source of the retries' jitter (required); each delivery queue uses its own split of it. */
    public AlertRuntimeBuilder random(RandomGenerator.SplittableGenerator random) {
        this.random = random;
        return this;
    }

    /**
     * The window lengths of the models: evaluations are also timed to just after a window closes,
     * and the lag from a close to its evaluation is measured (default: none).
     */
    public AlertRuntimeBuilder windowLengths(Supplier<? extends Collection<Long>> windowLengths) {
        this.windowLengths = Objects.requireNonNull(windowLengths, "windowLengths");
        return this;
    }

    /** Who is told of evaluations and deliveries (default: nobody). */
    public AlertRuntimeBuilder observer(AlertRuntime.Observer observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        return this;
    }

    /** When failed notifications are tried again (default {@link RetryPolicy#DEFAULT}). */
    public AlertRuntimeBuilder retryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        return this;
    }

    /** Who is told of the alerts' changes and acknowledgements (default: nobody). */
    public AlertRuntimeBuilder listener(AlertListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public AlertRuntime build() {
        List<String> missing = new ArrayList<>();
        if (clock == null) {
            missing.add("clock");
        }
        if (random == null) {
            missing.add("random");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("AlertRuntimeBuilder: " + String.join(" and ", missing)
                    + " must be set");
        }
        return new AlertRuntime(this);
    }
}
