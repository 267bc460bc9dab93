package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileQueryDecompositionTest {
    private static final long M = 60_000;
    private static final long H = 3_600_000;
    private static final long D = 86_400_000;

    @Test
    void aRangeIsCoveredByWholeDaysThenHoursThenBaseWindowsAtTheEdges() {
        long day = 20_000 * D;
        long from = day - H - 5 * M;
        long to = day + D + 2 * H + 3 * M;
        List<ProfileQuery.Span> spans = ProfileQuery.decompose(from, to, ProfileQuery.resolutions(M));
        assertThat(spans).containsExactly(
                new ProfileQuery.Span(M, from, day - H),
                new ProfileQuery.Span(H, day - H, day),
                new ProfileQuery.Span(D, day, day + D),
                new ProfileQuery.Span(H, day + D, day + D + 2 * H),
                new ProfileQuery.Span(M, day + D + 2 * H, to));
        long covered = spans.stream().mapToLong(s -> s.toMs() - s.fromMs()).sum();
        assertThat(covered).isEqualTo(to - from);
    }

    @Test
    void aShortRangeUsesBaseWindowsOnly() {
        long from = 1000 * H + 10 * M;
        assertThat(ProfileQuery.decompose(from, from + 20 * M, ProfileQuery.resolutions(M)))
                .containsExactly(new ProfileQuery.Span(M, from, from + 20 * M));
    }

    @Test
    void hourlyModelsRollUpToDaysOnly() {
        assertThat(ProfileQuery.resolutions(H)).containsExactly(H, D);
        assertThat(ProfileQuery.resolutions(10_000)).containsExactly(10_000L, H, D);
    }
}
