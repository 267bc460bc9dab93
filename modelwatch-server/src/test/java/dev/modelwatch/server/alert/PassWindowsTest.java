package dev.modelwatch.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.core.profile.SketchSettings;
import dev.modelwatch.core.profile.WindowProfile;
import dev.modelwatch.server.aggregate.ProfileQuery;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pass reads each window once: a range is answered from what it read plus queries of the rest only. */
class PassWindowsTest {
    private static final long W = 60_000;
    private static final ModelSpec SPEC = new ModelSpec("m", ModelTask.REGRESSION, "1", W, true);

    /** Windows with data at every even minute; records the ranges asked for (in minutes). */
    private final List<String> asked = new ArrayList<>();
    private final PassWindows.Reader reader = (spec, version, from, to) -> {
        asked.add((version == null ? "" : version + ":") + from / W + "-" + to / W);
        List<ProfileQuery.Bucket> out = new ArrayList<>();
        for (long s = from; s < to; s += W) {
            if ((s / W) % 2 == 0) {
                out.add(new ProfileQuery.Bucket(s, s + W, new WindowProfile(SketchSettings.DEFAULT)));
            }
        }
        return out;
    };

    private static List<Long> starts(List<ProfileQuery.Bucket> buckets) {
        return buckets.stream().map(b -> b.startMs() / W).toList();
    }

    @Test
    void aRangeIsAnsweredFromTheWindowsAlreadyReadAndQueriesOnlyTheRest() {
        PassWindows pass = new PassWindows(reader);
        assertThat(starts(pass.windows(SPEC, null, 10 * W, 15 * W))).containsExactly(10L, 12L, 14L);
        assertThat(starts(pass.windows(SPEC, null, 10 * W, 15 * W))).containsExactly(10L, 12L, 14L);
        assertThat(starts(pass.windows(SPEC, null, 11 * W, 14 * W))).containsExactly(12L);
        assertThat(asked).containsExactly("10-15");
        // wider on both sides: only the two ends are read
        assertThat(starts(pass.windows(SPEC, null, 6 * W, 20 * W))).containsExactly(6L, 8L, 10L, 12L, 14L, 16L, 18L);
        assertThat(asked).containsExactly("10-15", "6-10", "15-20");
        // a range with a hole between two read ones reads the hole only; a version is read apart
        pass.windows(SPEC, null, 30 * W, 35 * W);
        assertThat(starts(pass.windows(SPEC, null, 18 * W, 32 * W))).containsExactly(18L, 20L, 22L, 24L, 26L, 28L, 30L);
        assertThat(starts(pass.windows(SPEC, "v1", 10 * W, 13 * W))).containsExactly(10L, 12L);
        assertThat(asked).containsExactly("10-15", "6-10", "15-20", "30-35", "20-30", "v1:10-13");
        assertThat(pass.queries()).isEqualTo(6);
        // everything read: nothing more
        assertThat(starts(pass.windows(SPEC, null, 6 * W, 35 * W))).hasSize(15);
        assertThat(asked).hasSize(6);
    }

    @Test
    void anotherPassReadsAgainAndAnUnalignedOrHugeRangeGoesToTheQueryAsItIs() {
        new PassWindows(reader).windows(SPEC, null, 10 * W, 15 * W);
        new PassWindows(reader).windows(SPEC, null, 10 * W, 15 * W);
        assertThat(asked).containsExactly("10-15", "10-15");
        PassWindows pass = new PassWindows(reader);
        pass.windows(SPEC, null, 10 * W + 1, 15 * W);
        pass.windows(SPEC, null, 0, (PassWindows.MAX_WINDOWS + 1) * W);
        pass.windows(SPEC, null, 0, (PassWindows.MAX_WINDOWS + 1) * W);
        assertThat(asked).hasSize(5);
    }
}
