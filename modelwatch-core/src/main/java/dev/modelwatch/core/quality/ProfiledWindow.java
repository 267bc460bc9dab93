package dev.modelwatch.core.quality;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.WindowProfile;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the data-quality check reads of a window (or of a reference): its number of predictions, its
 * feature profiles, and the profiles of the output and the score. The event count is what a missing
 * rate is a rate of: a feature absent from an event is not counted in its profile at all, so only
 * {@code events - present} counts both the nulls and the absences, as the metrics' {@code missing_rate}
 * does.
 *
 * <p>Usage: {@code ProfiledWindow w = ProfiledWindow.of(windowProfile);}
 *
 * @param events   predictions in the window, {@code >= 0}
 * @param features by feature name, in the window's order
 * @param output   the prediction's profile, or null when no prediction carried one
 * @param score    the score's profile, or null when no prediction carried one
 */
public record ProfiledWindow(long events, Map<String, FeatureProfile> features, FeatureProfile output,
        FeatureProfile score) {
    public ProfiledWindow {
        if (events < 0) {
            throw new IllegalArgumentException("events must be >= 0, was " + events);
        }
        if (features == null) {
            throw new IllegalArgumentException("features must not be null (use an empty map)");
        }
        features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    }

    /** The window's profiles, read in place (not copied). */
    public static ProfiledWindow of(WindowProfile p) {
        return new ProfiledWindow(p.count(), p.features(), p.output(), p.score());
    }
}
