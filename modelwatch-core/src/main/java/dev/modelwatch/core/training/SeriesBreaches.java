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
final class SeriesBreaches {
    private final double alpha;
    private final int confirm;
    private final Map<String, Ewma> means = new HashMap<>();
    private final Map<String, Integer> breaches = new HashMap<>();
    private final Set<String> active = new HashSet<>();

    /** Continues from a saved state when {@code means} is not null. */
    SeriesBreaches(double alpha, int confirm, Map<String, Ewma.State> means, Map<String, Integer> breaches,
                   List<String> active) {
        this.alpha = alpha;
        this.confirm = confirm;
        if (means != null) {
            means.forEach((name, m) -> this.means.put(name, Ewma.of(alpha, m)));
            this.breaches.putAll(breaches);
            this.active.addAll(active);
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

    /** Each series' average, by name. */
    Map<String, Ewma.State> meansState() {
        Map<String, Ewma.State> m = new TreeMap<>();
        means.forEach((name, e) -> m.put(name, e.state()));
        return m;
    }

    /** Each series' consecutive steps in breach, by name. */
    Map<String, Integer> breachesState() {
        return new TreeMap<>(breaches);
    }

    /** The series whose breach has been reported, sorted. */
    List<String> activeState() {
        return active.stream().sorted().toList();
    }
}
