package dev.modelwatch.server.health;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process when a worker died of something it cannot recover from, so that a supervisor
 * (systemd, Kubernetes, a container runtime) starts a fresh one. Passed in at wiring: tests pass
 * one that records the call instead of ending the test JVM.
 */
@FunctionalInterface
public interface ProcessExit {
    /** Exit code after a worker died (EX_SOFTWARE of sysexits.h). */
    int WORKER_DIED = 70;

    /**
     * Ends the process with {@code code}; {@code reason} has already been logged by the caller.
     * The real one returns at once and ends the process from another thread.
     */
    void exit(int code, String reason);

    /**
     * The real one: {@link System#exit} from a new thread (the shutdown hook then closes the server
     * within its grace period), and {@link Runtime#halt} should that not have ended the process
     * after {@code grace} and 5 s more (a shutdown hook that hangs, a JVM too short of memory).
     */
    static ProcessExit system(Duration grace) {
        Logger log = LoggerFactory.getLogger(ProcessExit.class);
        return (code, reason) -> {
            Thread halt = new Thread(() -> {
                try {
                    Thread.sleep(grace.toMillis() + 5_000);
                } catch (InterruptedException e) {
                    return;
                }
                log.error("the process did not end within the shutdown grace period; halting with code {}", code);
                Runtime.getRuntime().halt(code);
            }, "modelwatch-exit-watchdog");
            halt.setDaemon(true);
            halt.start();
            Thread exit = new Thread(() -> System.exit(code), "modelwatch-exit");
            exit.start();
        };
    }
}
