package dev.modelwatch.server.diagnosis;

import static dev.modelwatch.server.diagnosis.Scores.clamp;
import static dev.modelwatch.server.diagnosis.Scores.confidence;

import dev.modelwatch.core.event.MetricEvent;
import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.agent.ResourceMetrics;
import dev.modelwatch.server.aggregate.ProfileQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link CauseKind#INFRASTRUCTURE}: latency or errors that move with the saturation of the model's hosts
 * ({@code metric} events of {@code modelwatch agent}) or with the traffic (docs/diagnosis.md).
 */
final class InfrastructureCauses {
    private final ProfileDiagnoser.Sources in;

    InfrastructureCauses(ProfileDiagnoser.Sources in) {
        this.in = in;
    }

    Cause infrastructure(Frame f) {
        List<ProfileQuery.Bucket> buckets = in.query().series(f.spec(), null, ProfileKey.ALL, f.baseFrom(), f.to(),
                f.step());
        if (buckets.size() < 4) {
            return null;
        }
        int n = buckets.size();
        double[] latency = new double[n];
        double[] errors = new double[n];
        double[] traffic = new double[n];
        long[] starts = new long[n];
        for (int k = 0; k < n; k++) {
            WindowProfile p = buckets.get(k).profile();
            latency[k] = p.latency() == null || p.latency().isEmpty() ? Double.NaN : p.latency().getQuantile(0.95);
            errors[k] = p.count() == 0 ? 0 : (double) p.errors() / p.count();
            traffic[k] = p.count();
            starts[k] = buckets.get(k).startMs();
        }
        double latB = f.base().latency() == null || f.base().latency().isEmpty() ? Double.NaN
                : f.base().latency().getQuantile(0.95);
        double latC = f.cur().latency() == null || f.cur().latency().isEmpty() ? Double.NaN
                : f.cur().latency().getQuantile(0.95);
        double latencyStrength = Double.isFinite(latB) && Double.isFinite(latC) && latB > 0 ? clamp(latC / latB - 1) : 0;
        double errB = (double) f.base().errors() / f.base().count();
        double errC = (double) f.cur().errors() / f.cur().count();
        double errP = dev.modelwatch.core.quality.CountTests.fisherGreater(f.base().errors(), f.base().count(),
                f.cur().errors(), f.cur().count());
        double errorStrength = confidence(errP) * clamp((errC - errB) / 0.05);
        boolean byLatency = latencyStrength >= errorStrength;
        double symptomStrength = Math.max(latencyStrength, errorStrength);
        if (symptomStrength < 0.05) {
            return null;
        }
        double[] symptom = byLatency ? latency : errors;
        List<Evidences.ResourceSeries> resources = new ArrayList<>();
        Map<Long, Integer> stepAt = new HashMap<>(); // steps without predictions are not in the series
        for (int k = 0; k < n; k++) {
            stepAt.put(starts[k], k);
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (ResourceMetrics.Load load : ResourceMetrics.LOADS) {
            Map<String, Double> totals = new HashMap<>(); // series -> its largest total in the range
            if (load.total() != null) {
                for (MetricEvent e : in.store().metricEvents(load.total(), f.baseFrom(), f.to())) {
                    if (servesModel(e, f) && Double.isFinite(e.value()) && e.value() > 0) {
                        totals.merge(seriesKey(load.metric(), e), e.value(), Math::max);
                    }
                }
            }
            for (MetricEvent e : in.store().metricEvents(load.metric(), f.baseFrom(), f.to())) {
                if (!servesModel(e, f) || !Double.isFinite(e.value())) {
                    continue;
                }
                Integer k = stepAt.get(Math.floorDiv(e.timestampMs(), f.step()) * f.step());
                if (k == null) {
                    continue;
                }
                String key = seriesKey(load.metric(), e);
                double percent = e.value();
                if (load.total() != null) {
                    Double total = totals.get(key);
                    if (total == null) {
                        continue;
                    }
                    percent = 100 * e.value() / total;
                }
                double[] s = sums.computeIfAbsent(key, x -> new double[2 * n]);
                s[k] += percent;
                s[n + k] += 1;
            }
        }
        double best = 0;
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] s = e.getValue();
            double[] series = new double[n];
            double before = 0;
            double after = 0;
            int nb = 0;
            int na = 0;
            int saturated = 0;
            for (int k = 0; k < n; k++) {
                series[k] = s[n + k] == 0 ? Double.NaN : s[k] / s[n + k];
                if (Double.isNaN(series[k])) {
                    continue;
                }
                if (starts[k] < f.onset()) {
                    before += series[k];
                    nb++;
                } else {
                    after += series[k];
                    na++;
                    saturated += series[k] >= 90 ? 1 : 0;
                }
            }
            if (nb == 0 || na == 0) {
                continue;
            }
            before /= nb;
            after /= na;
            double r = pearson(series, symptom);
            double sat = (double) saturated / na;
            double association = Math.max(0, r) * clamp(Math.max(2 * sat, (after - before) / 30));
            best = Math.max(best, association);
            String[] parts = e.getKey().split("\u0000", 3);
            resources.add(new Evidences.ResourceSeries(parts[0], parts[1].isEmpty() ? null : parts[1],
                    parts[2].isEmpty() ? null : parts[2], before, after, sat, r));
        }
        double trafficBefore = 0;
        double trafficAfter = 0;
        int nb = 0;
        int na = 0;
        for (int k = 0; k < n; k++) {
            if (starts[k] < f.onset()) {
                trafficBefore += traffic[k];
                nb++;
            } else {
                trafficAfter += traffic[k];
                na++;
            }
        }
        trafficBefore /= Math.max(1, nb);
        trafficAfter /= Math.max(1, na);
        double rTraffic = pearson(traffic, symptom);
        double trafficAssociation = trafficBefore <= 0 ? 0
                : Math.max(0, rTraffic) * clamp(trafficAfter / trafficBefore - 1);
        resources.add(new Evidences.ResourceSeries("traffic", null, null, trafficBefore, trafficAfter, null, rTraffic));
        best = Math.max(best, trafficAssociation);
        resources.sort(Comparator.comparingDouble((Evidences.ResourceSeries r) -> -r.correlation()));
        double score = clamp(symptomStrength * best);
        if (score <= 0) {
            return null;
        }
        Evidences.ResourceSeries top = resources.get(0);
        String symptomName = byLatency ? "latency_p95_ms" : "error_rate";
        double before = byLatency ? latB : errB;
        double after = byLatency ? latC : errC;
        return new Cause(CauseKind.INFRASTRUCTURE, score, null, null, null,
                String.format(java.util.Locale.ROOT, "%s went from %.4g to %.4g with %s%s%s (mean %.1f → %.1f, "
                        + "correlation %.2f)", symptomName, before, after, top.metric(),
                        top.host() == null ? "" : " on " + top.host(), top.device() == null ? "" : " " + top.device(), top.before(), top.after(), top.correlation()),
                new Evidences.Infrastructure(f.baseWindow(), f.curWindow(), symptomName, before, after, symptomStrength,
                        f.step() / 1000, resources),
                List.of(new SuggestedAction("scale_up", "add capacity to the hosts serving the model"),
                        new SuggestedAction("investigate", "look for noisy neighbours or a leak on "
                                + (top.host() == null ? "the serving hosts" : top.host()))),
                "symptom strength x association: symptom min(1, p95 latency ratio - 1) or confidence(p) x min(1, "
                        + "error rate rise / 0.05); association max(0, correlation of the per-step series) x "
                        + "min(1, max(2 x share of saturated steps, mean rise / 30 points)), or for traffic x "
                        + "min(1, volume ratio - 1)");
    }

    /** Whether a resource reading is of the model's hosts: its {@code model} field or label names the model. */
    private static boolean servesModel(MetricEvent e, Frame f) {
        String model = e.model() != null ? e.model() : e.labels().get("model");
        return f.model().name().equals(model);
    }

    /** One series of a load: the metric, its host and its device ({@code gpu=0}, {@code pid=42}), NUL-separated. */
    private static String seriesKey(String metric, MetricEvent e) {
        String device = "";
        for (String label : ResourceMetrics.DEVICE_LABELS) {
            String v = e.labels().get(label);
            if (v != null) {
                device = label + "=" + v;
                break;
            }
        }
        return metric + '\u0000' + e.labels().getOrDefault("host", "") + '\u0000' + device;
    }

    /** Pearson correlation over the steps where both are finite; 0 with fewer than 3 such steps. */
    static double pearson(double[] a, double[] b) {
        double sa = 0;
        double sb = 0;
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isFinite(a[i]) && Double.isFinite(b[i])) {
                sa += a[i];
                sb += b[i];
                n++;
            }
        }
        if (n < 3) {
            return 0;
        }
        double ma = sa / n;
        double mb = sb / n;
        double cov = 0;
        double va = 0;
        double vb = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isFinite(a[i]) && Double.isFinite(b[i])) {
                cov += (a[i] - ma) * (b[i] - mb);
                va += (a[i] - ma) * (a[i] - ma);
                vb += (b[i] - mb) * (b[i] - mb);
            }
        }
        return va <= 0 || vb <= 0 ? 0 : cov / Math.sqrt(va * vb);
    }
}
