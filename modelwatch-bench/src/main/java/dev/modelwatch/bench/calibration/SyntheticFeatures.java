package dev.modelwatch.bench.calibration;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The 20 features of the calibration benchmark's model, each chosen to exercise a decision where it
 * is weakest: normal and heavy-tailed numbers, counts, a 97/3 flag, missing values, rare NaNs, an
 * optional field, categories few, many and long-tailed, a 98/2 category and a bounded uniform. A
 * window is profiled feature by feature ({@link FeatureProfile}) as the server does, with no event
 * objects: {@link #profile} gives the profiles of {@code events} events.
 *
 * <p>Each feature can be shifted for the power tables ({@link Shift}).
 */
public final class SyntheticFeatures {
    /** How one feature of the current window differs from the reference: {@code amount} in the shift's units. */
    public record Shift(String feature, Kind kind, double amount) {
        public static final Shift NONE = new Shift("", Kind.MEAN, 0);
    }

    /** What a shift changes. */
    public enum Kind {
        /** the mean, in reference standard deviations (numerical features) */
        MEAN,
        /** the share of the first category moves to the second, by {@code amount} (categorical) */
        SHARE,
        /** extra missing values: the share of events without the value grows by {@code amount} */
        MISSING,
        /** extra NaN values: a share {@code amount} of the present values is NaN */
        NAN,
        /** a share {@code amount} of the values lies above the reference's whole range */
        OUT_OF_RANGE,
        /** a new category takes a share {@code amount} */
        NEW_CATEGORY,
        /** every value is the most common one */
        CONSTANT,
        /** the feature is absent from every event */
        ABSENT
    }

    public static final List<String> NAMES = List.of("normal_0", "normal_1", "normal_2", "normal_3", "normal_4",
            "normal_5", "lognormal_0", "lognormal_1", "lognormal_2", "lognormal_3", "count", "flag", "missing_5pct",
            "rare_nan", "optional_2pct", "category_4", "category_20", "category_long_tail", "category_98_2",
            "uniform");

    private static final String[] FOUR = {"a", "b", "c", "d"};
    private static final double[] FOUR_CDF = {0.5, 2 / 3.0, 5 / 6.0, 1};
    private static final String[] TWENTY = names("c", 20);
    private static final double[] TWENTY_CDF = zipf(20, 1.0);
    private static final String[] LONG_TAIL = names("t", 2_000);
    private static final double[] LONG_TAIL_CDF = zipf(2_000, 1.1);

    private SyntheticFeatures() {
    }

    private static String[] names(String prefix, int n) {
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            s[i] = prefix + i;
        }
        return s;
    }

    private static double[] zipf(int n, double exponent) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, exponent);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        cdf[n - 1] = 1;
        return cdf;
    }

    private static int pick(double[] cdf, double u) {
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] >= u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The profiles of every feature over {@code events} events, the shift applied to its feature. */
    public static Map<String, FeatureProfile> profile(SplittableRandom r, long events, SketchSettings settings,
            Shift shift) {
        Map<String, FeatureProfile> out = new LinkedHashMap<>();
        SketchSettings s = settings.forFeatures();
        for (String name : NAMES) {
            FeatureProfile p = new FeatureProfile(s);
            fill(name, p, r, events, name.equals(shift.feature()) ? shift : Shift.NONE);
            if (p.present() > 0 || p.nulls() > 0) {
                out.put(name, p);
            }
        }
        return out;
    }

    private static void fill(String name, FeatureProfile p, SplittableRandom r, long events, Shift shift) {
        double amount = shift.amount();
        Kind kind = shift.kind();
        if (kind == Kind.ABSENT && amount > 0) {
            return;
        }
        double missing = kind == Kind.MISSING ? amount : 0;
        double nan = kind == Kind.NAN ? amount : 0;
        double outside = kind == Kind.OUT_OF_RANGE ? amount : 0;
        double newCategory = kind == Kind.NEW_CATEGORY ? amount : 0;
        double mean = kind == Kind.MEAN ? amount : 0;
        double share = kind == Kind.SHARE ? amount : 0;
        boolean constant = kind == Kind.CONSTANT && amount > 0;
        for (long i = 0; i < events; i++) {
            if (name.equals("optional_2pct") && r.nextDouble() >= 0.02) {
                continue;
            }
            if (name.equals("missing_5pct") && r.nextDouble() < 0.05) {
                p.addNull();
                continue;
            }
            if (missing > 0 && r.nextDouble() < missing) {
                p.addNull();
                continue;
            }
            if (nan > 0 && r.nextDouble() < nan) {
                p.add(Double.NaN);
                continue;
            }
            if (outside > 0 && r.nextDouble() < outside) {
                if (name.startsWith("category")) {
                    p.add("zz-outside");
                } else {
                    p.add(1e9 + r.nextDouble());
                }
                continue;
            }
            if (newCategory > 0 && r.nextDouble() < newCategory) {
                p.add("zz-new");
                continue;
            }
            switch (name) {
                case "count" -> p.add(constant ? 3 : poisson3(r) + mean * Math.sqrt(3));
                case "flag" -> p.add(constant || r.nextDouble() < 0.97 ? 1.0 : 0.0);
                case "rare_nan" -> p.add(r.nextDouble() < 1e-4 ? Double.NaN : Draws.gaussian(r) + mean);
                case "category_4" -> p.add(constant ? "a" : FOUR[shifted(FOUR_CDF, r.nextDouble(), share)]);
                case "category_20" -> p.add(constant ? TWENTY[0] : TWENTY[shifted(TWENTY_CDF, r.nextDouble(), share)]);
                case "category_long_tail" -> p.add(constant ? LONG_TAIL[0]
                        : LONG_TAIL[shifted(LONG_TAIL_CDF, r.nextDouble(), share)]);
                case "category_98_2" -> p.add(constant || r.nextDouble() < 0.98 - share ? "A" : "B");
                case "uniform" -> p.add(constant ? 0.5 : r.nextDouble() + mean / Math.sqrt(12));
                default -> {
                    if (name.startsWith("lognormal")) {
                        // lognormal sigma 1: mean e^0.5, sd about 2.16
                        p.add(constant ? 1 : Math.exp(Draws.gaussian(r)) + mean * 2.16);
                    } else {
                        p.add(constant ? 0 : Draws.gaussian(r) + mean);
                    }
                }
            }
        }
    }

    /** The category index for {@code u}, with a share {@code share} moved from the first category to the second. */
    private static int shifted(double[] cdf, double u, double share) {
        int i = pick(cdf, u);
        if (share > 0 && i == 0 && u < share) {
            return 1;
        }
        return i;
    }

    private static double poisson3(SplittableRandom r) {
        return Draws.poisson(r, 3);
    }
}
