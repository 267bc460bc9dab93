package dev.modelwatch.server;

import dev.modelwatch.server.alert.notify.Notifier;
import dev.modelwatch.server.alert.notify.NotifyResult;
import dev.modelwatch.server.alert.dispatch.Notification;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A receiver integration for tests: records what it is sent, failing (retryably, as an HTTP 503
 * would) its first {@code failures} attempts.
 */
public final class RecordingReceiver implements Notifier {
    /** The notifications delivered, in order. */
    public final List<Notification> received = new CopyOnWriteArrayList<>();
    /** Every attempt, failed or not. */
    public final AtomicInteger attempts = new AtomicInteger();
    private final int failures;

    public RecordingReceiver(int failures) {
        this.failures = failures;
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public boolean sendResolved() {
        return true;
    }

    @Override
    public NotifyResult send(Notification n) {
        if (attempts.incrementAndGet() <= failures) {
            return NotifyResult.failed(true, 503, "HTTP 503 from the test receiver", 0);
        }
        received.add(n);
        return NotifyResult.delivered(200, 0);
    }
}
