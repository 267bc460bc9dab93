package dev.modelwatch.server.alert.inhibit;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.MatcherParser;
import dev.modelwatch.server.alert.lifecycle.ConfigNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * An inhibition rule, as Alertmanager's: while an alert matching {@code source_matchers} fires, alerts
 * matching {@code target_matchers} that have the same values of the {@code equal} labels are muted
 * (a label missing on both sides counts as equal, as in Alertmanager).
 *
 * <pre>
 * inhibit_rules:
 *   - source_matchers: ['severity="critical"']
 *     target_matchers: ['severity="warning"']
 *     equal: [model]
 *     # deprecated forms, as Alertmanager: source_match / source_match_re / target_match / target_match_re
 * </pre>
 *
 * @param sourceMatchers all must match a source (inhibiting) alert
 * @param targetMatchers all must match a target (inhibited) alert
 * @param equal          labels whose values source and target must share
 */
public record InhibitRule(List<LabelMatcher> sourceMatchers, List<LabelMatcher> targetMatchers, List<String> equal) {
    public InhibitRule {
        sourceMatchers = sourceMatchers == null ? List.of() : List.copyOf(sourceMatchers);
        targetMatchers = targetMatchers == null ? List.of() : List.copyOf(targetMatchers);
        equal = equal == null ? List.of() : List.copyOf(new LinkedHashSet<>(equal));
        for (String l : equal) {
            if (!SeriesLabels.isLabelName(l)) {
                throw new IllegalArgumentException("equal: '" + l + "' is not a label name");
            }
        }
    }

    /** Whether {@code labels} match every source matcher. */
    public boolean matchesSource(SeriesLabels labels) {
        return matchesAll(sourceMatchers, labels);
    }

    /** Whether {@code labels} match every target matcher. */
    public boolean matchesTarget(SeriesLabels labels) {
        return matchesAll(targetMatchers, labels);
    }

    private static boolean matchesAll(List<LabelMatcher> ms, SeriesLabels labels) {
        for (LabelMatcher m : ms) {
            if (!m.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code a} and {@code b} have the same value (or both none) for every {@code equal} label. */
    public boolean sameEqualLabels(SeriesLabels a, SeriesLabels b) {
        for (String l : equal) {
            String x = a.get(l);
            String y = b.get(l);
            if (!(x == null ? "" : x).equals(y == null ? "" : y)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads the {@code inhibit_rules:} list; every problem is recorded with its path
     * ({@code inhibit_rules[0].target_matchers[1]: ...}), rules with problems are left out.
     */
    public static List<InhibitRule> parseAll(ConfigNode list) {
        List<InhibitRule> out = new ArrayList<>();
        for (ConfigNode n : list.items()) {
            int before = n.problems().size();
            if (!n.allowKeys(Set.of("source_matchers", "target_matchers", "source_match", "source_match_re",
                    "target_match", "target_match_re", "equal"))) {
                if (n.isUnset()) {
                    n.problem("an inhibit rule must be a mapping");
                }
                continue;
            }
            List<LabelMatcher> source = matchers(n, "source");
            List<LabelMatcher> target = matchers(n, "target");
            List<String> equal = new ArrayList<>();
            for (ConfigNode e : n.get("equal").items()) {
                String l = e.asString();
                if (l != null && !SeriesLabels.isLabelName(l)) {
                    e.problem("'" + l + "' is not a label name");
                } else if (l != null) {
                    equal.add(l);
                }
            }
            if (n.problems().size() == before) {
                out.add(new InhibitRule(source, target, equal));
            }
        }
        return out;
    }

    private static List<LabelMatcher> matchers(ConfigNode n, String side) {
        List<LabelMatcher> out = new ArrayList<>();
        for (ConfigNode item : n.get(side + "_matchers").items()) {
            String text = item.asString();
            if (text == null) {
                continue;
            }
            try {
                out.addAll(MatcherParser.parseList(text));
            } catch (IllegalArgumentException e) {
                item.problem(e.getMessage());
            }
        }
        for (Map.Entry<String, ConfigNode> e : n.get(side + "_match").entries().entrySet()) {
            String v = e.getValue().asString();
            if (!SeriesLabels.isLabelName(e.getKey())) {
                e.getValue().problem("invalid label name '" + e.getKey() + "'");
            } else if (v != null) {
                out.add(LabelMatcher.equal(e.getKey(), v));
            }
        }
        for (Map.Entry<String, ConfigNode> e : n.get(side + "_match_re").entries().entrySet()) {
            String v = e.getValue().asString();
            if (!SeriesLabels.isLabelName(e.getKey())) {
                e.getValue().problem("invalid label name '" + e.getKey() + "'");
            } else if (v != null) {
                try {
                    out.add(LabelMatcher.of(e.getKey(), LabelMatcher.Type.REGEX, v));
                } catch (PatternSyntaxException ex) {
                    e.getValue().problem("invalid regular expression \"" + v + "\": " + ex.getDescription());
                }
            }
        }
        return out;
    }
}
