package dev.modelwatch.server.alert.inhibit;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import dev.modelwatch.server.alert.dispatch.Muter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The {@link Muter} of a list of {@link InhibitRule}s over the current alerts (Alertmanager's
 * {@code inhibit.Inhibitor}). Immutable: make a new one when the alerts change.
 *
 * <p>A target is muted when, for some rule, it matches the target matchers and some alert that
 * matches the source matchers is firing at that time and has the same {@code equal} labels.
 * <b>An alert does not inhibit itself</b>, nor does a rule's alert inhibit its peers: when the target
 * also matches the source matchers, sources that also match the target matchers are not considered
 * (Alertmanager's "two-sided match" exclusion). Sources are all given alerts, silenced ones included,
 * as in Alertmanager.
 *
 * <p>Usage: {@code Muter inhibitor = Inhibitor.of(rules, currentAlerts); inhibitor.mutes(labels, nowMs);}
 */
public final class Inhibitor implements Muter {
    private final List<InhibitRule> rules;
    /** Per rule, the alerts matching its source matchers. */
    private final List<List<Alert>> sources;

    private Inhibitor(List<InhibitRule> rules, Collection<Alert> alerts) {
        this.rules = List.copyOf(rules);
        List<List<Alert>> s = new ArrayList<>();
        for (InhibitRule r : this.rules) {
            List<Alert> matching = new ArrayList<>();
            for (Alert a : alerts) {
                if (r.matchesSource(a.labels())) {
                    matching.add(a);
                }
            }
            s.add(List.copyOf(matching));
        }
        this.sources = List.copyOf(s);
    }

    /** An inhibitor of {@code rules} with {@code alerts} as candidate sources. */
    public static Inhibitor of(List<InhibitRule> rules, Collection<Alert> alerts) {
        return new Inhibitor(rules, alerts);
    }

    @Override
    public boolean mutes(SeriesLabels alertLabels, long nowMs) {
        return inhibitingAlert(alertLabels, nowMs) != null;
    }

    /** The firing alert that inhibits {@code alertLabels} at {@code nowMs} (the first found), or null. */
    public Alert inhibitingAlert(SeriesLabels alertLabels, long nowMs) {
        for (int i = 0; i < rules.size(); i++) {
            InhibitRule r = rules.get(i);
            if (!r.matchesTarget(alertLabels)) {
                continue;
            }
            boolean excludeTwoSided = r.matchesSource(alertLabels);
            for (Alert source : sources.get(i)) {
                if (source.resolvedAt(nowMs)) {
                    continue;
                }
                if (!r.sameEqualLabels(source.labels(), alertLabels)) {
                    continue;
                }
                if (excludeTwoSided && r.matchesTarget(source.labels())) {
                    continue;
                }
                return source;
            }
        }
        return null;
    }
}
