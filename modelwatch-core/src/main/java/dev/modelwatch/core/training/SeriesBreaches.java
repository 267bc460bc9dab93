package dev.modelwatch.core.training;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The bookkeeping of detectors that watch many named series (one a layer): each series' average
 * (EWMA), the number of consecutive logged steps its average has been in breach, and the series whose
 * breach has been reported. A breach is reported once, when it has lasted {@code confirm} steps, and
 * again only after the series has left it.
 */
public final class SeriesBreaches {
    private final double alpha;
    private final int confirm;
    private final Map<String, Ewma> means = new HashMap<>();
    private final Map<String, Integer> breaches = new HashMap<>();
    private final Set<String> active = new HashSet<>();

    /** What a detector has seen, to continue after a restart: per series its average and breaches. */
    public record State(Map<String, Ewma.State> means, Map<String, Integer> breaches, List<String> active) {
    }

    /** Continues from {@code s} (fresh when it is null). */
    SeriesBreaches(double alpha, int confirm, State s) {
        this.alpha = alpha;
        this.confirm = confirm;
        if (s != null) {
            s.means().forEach((name, m) -> means.put(name, Ewma.of(alpha, m)));
            breaches.putAll(s.breaches());
            active.addAll(s.active());
        }
    }

    /** Adds {@code value} to the series {@code name} and returns its average. */
    double add(String name, double value) {
        return means.computeIfAbsent(name, n -> new Ewma(alpha)).add(value);
    }

    /**
     * Counts this step as in breach or not for the series {@code name}; true when its breach has just
     * lasted long enough to report.
     */
    boolean confirmed(String name, boolean breach) {
        int b = breach ? breaches.getOrDefault(name, 0) + 1 : 0;
        breaches.put(name, b);
        if (b == 0) {
            active.remove(name);
            return false;
        }
        return b >= confirm && active.add(name);
    }

    State state() {
        Map<String, Ewma.State> m = new TreeMap<>();
        means.forEach((name, e) -> m.put(name, e.state()));
        return new State(m, new TreeMap<>(breaches), active.stream().sorted().toList());
    }
}
