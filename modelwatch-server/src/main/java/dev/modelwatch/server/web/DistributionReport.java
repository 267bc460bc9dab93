package dev.modelwatch.server.web;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.api.ApiException;
import dev.modelwatch.server.drift.DriftService;
import dev.modelwatch.store.ModelRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/** Builds a {@link FeatureDistribution} from the merged profile of a range and the model's reference. */
final class DistributionReport {
    private static final int CDF_POINTS = 101;
    private static final int MAX_CATEGORIES = 20;

    private final DashboardSources sources;

    DistributionReport(DashboardSources sources) {
        this.sources = sources;
    }

    FeatureDistribution build(String modelName, String feature, String version, String segment, long fromMs, long toMs) {
        ModelRecord m = sources.models().get(modelName)
                .orElseThrow(() -> new ApiException(404, "no model named '" + modelName + "'"));
        if (feature == null || feature.isEmpty()) {
            throw new ApiException(400, "feature: required, the name of one of the model's features");
        }
        WindowProfile current = sources.query().range(m.spec(), version,
                segment == null || segment.isEmpty() ? ProfileKey.ALL : segment, fromMs, toMs);
        FeatureProfile reference = sources.drift().reference(m, version)
                .map(DriftService.ResolvedReference::reference).map(r -> r.profile().features().get(feature)).orElse(null);
        FeatureProfile now = current.features().get(feature);
        if (now == null && reference == null) {
            throw new ApiException(404, "model '" + modelName + "' has no feature '" + feature + "' in this range or its reference");
        }
        boolean numerical = now != null ? now.isNumerical() : reference.isNumerical();
        long currentCount = now == null ? 0 : now.present();
        long referenceCount = reference == null ? 0 : reference.present();
        if (numerical) {
            return new FeatureDistribution(m.name(), feature, "numerical", currentCount, referenceCount,
                    cdf(sketch(now), sketch(reference)), List.of());
        }
        return new FeatureDistribution(m.name(), feature, "categorical", currentCount, referenceCount, List.of(),
                categories(now, reference));
    }

    private static KllDoublesSketch sketch(FeatureProfile p) {
        KllDoublesSketch s = p == null ? null : p.quantileSketch();
        return s == null || s.isEmpty() ? null : s;
    }

    private static List<FeatureDistribution.CdfPoint> cdf(KllDoublesSketch current, KllDoublesSketch reference) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (KllDoublesSketch s : new KllDoublesSketch[] {current, reference}) {
            if (s != null) {
                lo = Math.min(lo, s.getMinItem());
                hi = Math.max(hi, s.getMaxItem());
            }
        }
        List<FeatureDistribution.CdfPoint> out = new ArrayList<>();
        if (lo > hi) {
            return out;
        }
        int n = hi > lo ? CDF_POINTS : 1;
        for (int i = 0; i < n; i++) {
            double x = i == n - 1 ? hi : lo + (hi - lo) * i / (n - 1);
            out.add(new FeatureDistribution.CdfPoint(x, rank(current, x), rank(reference, x)));
        }
        return out;
    }

    private static Double rank(KllDoublesSketch s, double x) {
        return s == null ? null : s.getRank(x, QuantileSearchCriteria.INCLUSIVE);
    }

    private static List<FeatureDistribution.CategoryShare> categories(FeatureProfile current, FeatureProfile reference) {
        Map<String, Long> order = new LinkedHashMap<>();
        for (FeatureProfile p : new FeatureProfile[] {current, reference}) {
            ItemsSketch<String> items = p == null ? null : p.frequentItems();
            if (items == null) {
                continue;
            }
            for (ItemsSketch.Row<String> row : items.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
                order.merge(row.getItem(), row.getEstimate(), Long::sum);
            }
        }
        List<String> values = new ArrayList<>(order.keySet());
        values.sort((a, b) -> Long.compare(order.get(b), order.get(a)));
        List<FeatureDistribution.CategoryShare> out = new ArrayList<>();
        for (String v : values.subList(0, Math.min(MAX_CATEGORIES, values.size()))) {
            out.add(new FeatureDistribution.CategoryShare(v, share(current, v), share(reference, v)));
        }
        return out;
    }

    private static Double share(FeatureProfile p, String value) {
        if (p == null || p.frequentItems() == null || p.stringCount() == 0) {
            return null;
        }
        return (double) p.frequentItems().getEstimate(value) / p.stringCount();
    }
}
