package dev.modelwatch.server.alert;

import dev.modelwatch.server.alert.lifecycle.AlertInstance;
import dev.modelwatch.server.alert.lifecycle.AlertState;
import dev.modelwatch.server.alert.lifecycle.RuleState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert instances as the API reads them: an immutable snapshot the alert runtime replaces after
 * each change (an evaluation, an acknowledgement), so that listing alerts or models never waits for
 * an evaluation under way and costs no more than the alerts it returns. Ordered by rule (in the
 * configuration's order), then by alert id — the order pages follow.
 */
public final class AlertView {
    static final AlertView EMPTY = new AlertView(List.of(), Map.of());

    /** One alert instance of one rule, with its place in the order. */
    public record Entry(String rule, int ruleIndex, AlertInstance alert) {
    }

    /** A firing alert as a model's health shows it. */
    public record FiringAlert(Map<String, String> labels, String severity) {
    }

    private final List<Entry> entries;
    private final Map<String, List<FiringAlert>> firingByModel;

    private AlertView(List<Entry> entries, Map<String, List<FiringAlert>> firingByModel) {
        this.entries = entries;
        this.firingByModel = firingByModel;
    }

    static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::ruleIndex)
            .thenComparing(e -> e.alert().id());

    /** The view of {@code states}, whose keys are the rule names in the configuration's order. */
    static AlertView of(Map<String, RuleState> states) {
        List<Entry> entries = new ArrayList<>();
        Map<String, List<FiringAlert>> firing = new HashMap<>();
        int index = 0;
        for (Map.Entry<String, RuleState> r : states.entrySet()) {
            List<Entry> ofRule = new ArrayList<>(r.getValue().instances().size());
            for (AlertInstance a : r.getValue().instances().values()) {
                ofRule.add(new Entry(r.getKey(), index, a));
                String model = a.labels().get("model");
                if (a.state() == AlertState.FIRING && model != null) {
                    firing.computeIfAbsent(model, k -> new ArrayList<>())
                            .add(new FiringAlert(a.labels().asMap(), a.severity()));
                }
            }
            ofRule.sort(ORDER);
            entries.addAll(ofRule);
            index++;
        }
        return new AlertView(List.copyOf(entries), firing);
    }

    /** Every alert, in the order of rules, then ids. */
    public List<Entry> entries() {
        return entries;
    }

    /** The position of the first entry after (rule {@code ruleIndex}, alert {@code id}) in the order. */
    public int indexAfter(int ruleIndex, String id) {
        int lo = 0;
        int hi = entries.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Entry e = entries.get(mid);
            int c = e.ruleIndex() != ruleIndex ? Integer.compare(e.ruleIndex(), ruleIndex) : e.alert().id().compareTo(id);
            if (c <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The alert with this id, or empty. */
    public java.util.Optional<Entry> find(String id) {
        return entries.stream().filter(e -> e.alert().id().equals(id)).findFirst();
    }

    /** The firing alerts of a model (empty when none). */
    List<FiringAlert> firing(String model) {
        return firingByModel.getOrDefault(model, List.of());
    }

    /**
     * A page of alerts.
     *
     * @param alerts the alerts of the page, in the order of {@code GET /api/v1/alerts}
     * @param last   the position of the page's last alert when more follow (the next page starts after it), else null
     */
    public record Page(List<Entry> alerts, Position last) {
    }

    /** Where an alert lies in the order of {@code GET /api/v1/alerts}: its rule, then its id. */
    public record Position(String rule, String id) {
    }

    /**
     * Up to {@code limit} alerts filtered by state and model (null: any), after {@code after} (null:
     * from the first), in the order of rules ({@code ruleIndex}: each rule's position), then ids.
     */
    public Page page(Map<String, Integer> ruleIndex, String state, String model, Position after, int limit) {
        int from = after == null ? 0 : indexAfter(ruleIndex.getOrDefault(after.rule(), -1), after.id());
        List<Entry> out = new ArrayList<>();
        Position last = null;
        Entry lastAdded = null;
        for (int i = from; i < entries.size(); i++) {
            AlertInstance a = entries.get(i).alert();
            String s = a.state().name().toLowerCase(java.util.Locale.ROOT);
            if ((state != null && !state.equals(s)) || (model != null && !model.equals(a.labels().get("model")))) {
                continue;
            }
            if (out.size() == limit) {
                last = new Position(lastAdded.rule(), lastAdded.alert().id());
                break;
            }
            lastAdded = entries.get(i);
            out.add(lastAdded);
        }
        return new Page(out, last);
    }
}
