package dev.modelwatch.server.alert;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.RangeSeries;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several per-model series sources seen as one, each serving metric names the others do not (the
 * models' metrics, the training runs' problems). A model's change sequence is the sum of its
 * sequences in each source (each only grows, so the sum changes whenever one does); a model present in
 * more than one source has no window alignment (0), so its results are not reused across a window.
 */
public final class CombinedSeriesSource implements PerModelSeriesSource {
    private final List<PerModelSeriesSource> sources;

    public CombinedSeriesSource(List<PerModelSeriesSource> sources) {
        this.sources = List.copyOf(sources);
    }

    @Override
    public PerModelSeriesSource forPass() {
        List<PerModelSeriesSource> views = new ArrayList<>(sources.size());
        boolean same = true;
        for (PerModelSeriesSource s : sources) {
            PerModelSeriesSource v = s.forPass();
            views.add(v);
            same &= v == s;
        }
        return same ? this : new CombinedSeriesSource(views);
    }

    @Override
    public List<ModelData> models() {
        Map<String, ModelData> byModel = new LinkedHashMap<>();
        for (PerModelSeriesSource s : sources) {
            for (ModelData m : s.models()) {
                byModel.merge(m.model(), m, (a, b) -> new ModelData(a.model(), a.changeSequence() + b.changeSequence(),
                        Math.max(a.dataEndMs(), b.dataEndMs()), a.windowMs() == b.windowMs() ? a.windowMs() : 0));
            }
        }
        return new ArrayList<>(byModel.values());
    }

    @Override
    public List<RangeSeries> select(String metricName, List<LabelMatcher> matchers, long fromMsExclusive,
                                    long toMsInclusive, Set<String> models) {
        List<RangeSeries> out = new ArrayList<>();
        for (PerModelSeriesSource s : sources) {
            out.addAll(s.select(metricName, matchers, fromMsExclusive, toMsInclusive, models));
        }
        return out;
    }
}
