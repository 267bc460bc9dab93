package dev.modelwatch.server.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's workers (aggregator, store writer, ingest log writer, alert evaluator, notification
 * deliverer) and whether each is alive. A worker handles the failures it can retry itself; anything
 * that escapes its loop (an {@code OutOfMemoryError}, a {@code StackOverflowError}, a bug) ends the
 * thread, and then this logs one line naming the worker and the cause and ends the process through
 * {@link ProcessExit} with {@link ProcessExit#WORKER_DIED}: a server with a dead worker would
 * otherwise go on acknowledging events that nothing aggregates.
 *
 * <p>Thread-safe.
 */
public final class Workers implements WorkerThreads {
    private static final Logger LOG = LoggerFactory.getLogger(Workers.class);

    private final ProcessExit exit;
    private final Map<String, WorkerStatus> deaths = new ConcurrentHashMap<>();
    private final Map<String, Thread> threads = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /** One worker: its name, whether its thread runs, and why it died when it did. */
    public record WorkerStatus(String name, boolean alive, String cause) {
    }

    public Workers(ProcessExit exit) {
        this.exit = exit;
    }

    @Override
    public Thread newThread(String name, Runnable body) {
        Thread t = new Thread(() -> run(name, body), name);
        t.setDaemon(true);
        threads.put(name, t);
        return t;
    }

    private void run(String name, Runnable body) {
        try {
            body.run();
            if (!stopping) {
                died(name, "its loop ended while the server was running");
            }
        } catch (Throwable t) {
            if (stopping && t instanceof RuntimeException) {
                LOG.debug("worker {} ended while stopping: {}", name, t.toString());
                return;
            }
            died(name, t.toString());
            if (t instanceof VirtualMachineError || t instanceof LinkageError) {
                LOG.error("worker {} died", name, t);
            }
        }
    }

    private void died(String name, String cause) {
        deaths.put(name, new WorkerStatus(name, false, cause));
        String line = "worker " + name + " died: " + cause + "; exiting with code " + ProcessExit.WORKER_DIED
                + " so that a supervisor restarts the server (acknowledged events stay in the ingest log)";
        LOG.error(line);
        exit.exit(ProcessExit.WORKER_DIED, line);
    }

    /** From now on a worker that ends is stopping, not dying (called when the server closes). */
    public void stopping() {
        stopping = true;
    }

    /** Every worker started through this, by name. */
    public List<WorkerStatus> statuses() {
        List<WorkerStatus> out = new ArrayList<>();
        threads.forEach((name, t) -> {
            WorkerStatus dead = deaths.get(name);
            // a thread made but not started yet (a delivery thread being added) is not dead
            boolean alive = t.isAlive() || t.getState() == Thread.State.NEW || stopping;
            out.add(dead != null ? dead : new WorkerStatus(name, alive, null));
        });
        out.sort(java.util.Comparator.comparing(WorkerStatus::name));
        return out;
    }

    /** The workers that died (empty while all live). */
    public List<WorkerStatus> dead() {
        return statuses().stream().filter(s -> !s.alive()).toList();
    }
}
