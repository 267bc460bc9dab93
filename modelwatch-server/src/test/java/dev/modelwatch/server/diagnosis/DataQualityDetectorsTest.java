package dev.modelwatch.server.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.profile.FeatureProfile;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.quality.DataQualityIssue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The diagnosis's own data-quality detectors: a category explosion and a unit change. */
class DataQualityDetectorsTest {
    private static final long MINUTE = 60_000L;

    private static FeatureProfile channels(SplittableRandom random, int n, double newShare, int newValues) {
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        String[] usual = {"web", "app", "store", "phone"};
        for (int i = 0; i < n; i++) {
            p.add(random.nextDouble() < newShare ? "c-" + random.nextInt(newValues) : usual[random.nextInt(usual.length)]);
        }
        return p;
    }

    @Test
    void halfTheValuesInAThousandNewCategoriesIsAnExplosion() {
        SplittableRandom random = new SplittableRandom(1);
        FeatureProfile base = channels(random, 20_000, 0, 1);
        FeatureProfile cur = channels(random, 20_000, 0.5, 1_000);
        assertThat(UnseenCategories.share(base, cur)).isBetween(0.45, 0.55);
        DataQualityIssue issue = UnseenCategories.issue("channel", base, cur);
        assertThat(issue).isNotNull();
        assertThat(issue.issue()).isEqualTo(DataQualityIssue.Kind.NEW_CATEGORY);
        assertThat(issue.message()).contains("categories the baseline never had");
    }

    /** Clean categories: 100 trials at 200 and 5,000 values, 5 at 200,000; no explosion in any (a rate of 0). */
    @Test
    void theSameCategoriesAreNoExplosionAtAnySize() {
        SplittableRandom random = new SplittableRandom(2);
        for (int n : new int[] {200, 5_000, 200_000}) {
            for (int trial = 0; trial < (n > 10_000 ? 5 : 100); trial++) {
                FeatureProfile base = channels(random, n, 0, 1);
                FeatureProfile cur = channels(random, n, 0, 1);
                assertThat(UnseenCategories.share(base, cur)).as("n=" + n).isZero();
                assertThat(UnseenCategories.issue("channel", base, cur)).as("n=" + n).isNull();
            }
        }
    }

    /** A long tail (a new rare category now and then) is no explosion either: 100 trials at each size. */
    @Test
    void aLongTailIsNoExplosion() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n : new int[] {200, 2_000, 20_000}) {
            for (int trial = 0; trial < 100; trial++) {
                FeatureProfile base = zipf(random, n);
                FeatureProfile cur = zipf(random, n);
                assertThat(UnseenCategories.issue("merchant", base, cur)).as("n=" + n).isNull();
            }
        }
    }

    /** 40 categories, the k-th about 1/k as frequent as the first. */
    private static FeatureProfile zipf(SplittableRandom random, int n) {
        FeatureProfile p = new FeatureProfile(SketchSettings.DEFAULT);
        double[] cdf = new double[40];
        double total = 0;
        for (int k = 0; k < cdf.length; k++) {
            total += 1.0 / (k + 1);
            cdf[k] = total;
        }
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble() * total;
            int k = 0;
            while (cdf[k] < u) {
                k++;
            }
            p.add("m-" + k);
        }
        return p;
    }

    @Test
    void aFewNewCategoriesAreLeftToTheDriftReport() {
        SplittableRandom random = new SplittableRandom(3);
        FeatureProfile base = channels(random, 20_000, 0, 1);
        FeatureProfile cur = channels(random, 20_000, 0.05, 1_000);
        assertThat(UnseenCategories.issue("channel", base, cur)).isNull();
    }

    private static long[] starts(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = i * MINUTE;
        }
        return s;
    }

    /** Per-step means around {@code level}, times {@code factor} from step {@code at} on. */
    private static double[] means(SplittableRandom random, int n, double level, int at, double factor) {
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = level * (1 + 0.05 * random.nextGaussian()) * (i >= at ? factor : 1);
        }
        return m;
    }

    @Test
    void aHundredfoldJumpIsAUnitChangeEvenBeforeTheEarliestStepAsked() {
        SplittableRandom random = new SplittableRandom(4);
        double[] m = means(random, 30, 42, 20, 100);
        DataQualityIssue issue = UnitChanges.issue("amount", m, starts(30), 18 * MINUTE);
        assertThat(issue).isNotNull();
        assertThat(issue.issue()).isEqualTo(DataQualityIssue.Kind.OUT_OF_RANGE);
        assertThat(issue.message()).contains("x 100 at once at 1970-01-01T00:20:00");
        // a change before the earliest step examined is not this question's
        assertThat(UnitChanges.issue("amount", m, starts(30), 21 * MINUTE)).isNull();
        assertThat(UnitChanges.issue("amount", means(random, 30, 42, 20, 0.001), starts(30), 0)).isNotNull();
    }

    @Test
    void aDriftThatIsNoPowerOfTenOrARampIsNoUnitChange() {
        SplittableRandom random = new SplittableRandom(5);
        assertThat(UnitChanges.issue("amount", means(random, 30, 42, 20, 3), starts(30), 0)).isNull();
        double[] ramp = new double[30];
        for (int i = 0; i < 30; i++) {
            ramp[i] = 42 * Math.pow(100, Math.max(0, Math.min(1, (i - 10) / 15.0)));
        }
        assertThat(UnitChanges.issue("amount", ramp, starts(30), 0)).isNull();
    }

    @Test
    void theMeansOfACentredFeatureScatterByDecadesAndAreNoUnitChange() {
        SplittableRandom random = new SplittableRandom(6);
        for (int n : new int[] {10, 60, 240}) {
            for (int trial = 0; trial < 200; trial++) {
                double[] m = new double[n];
                for (int i = 0; i < n; i++) {
                    m[i] = random.nextGaussian() * 0.03; // the mean of 1,000 values of N(0, 1)
                    m[i] = m[i] > 0 ? m[i] : Double.NaN;
                }
                assertThat(UnitChanges.issue("x1", m, starts(n), 0)).as("n=" + n).isNull();
            }
        }
    }
}
