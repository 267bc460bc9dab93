package dev.modelwatch.core.training;

import dev.modelwatch.core.event.TrainingEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StepSeriesTest {
    @Test
    void millionStepsKeepBoundedBucketsWithTheirExtremesAndNaNs() {
        StepSeries s = new StepSeries(1000);
        for (long step = 0; step < 1_000_000; step++) {
            double v = step == 123_456 ? 1e9 : step == 654_321 ? -5 : step == 777_777 ? Double.NaN : 1.0;
            s.add(step, 1_000 + 10 * step, v);
        }
        List<StepSeries.Bucket> b = s.buckets();
        assertThat(b.size()).isLessThanOrEqualTo(1000);
        assertThat(s.width()).isEqualTo(1024);
        assertThat(b.stream().mapToDouble(StepSeries.Bucket::max).max().orElseThrow()).isEqualTo(1e9);
        assertThat(b.stream().mapToDouble(StepSeries.Bucket::min).min().orElseThrow()).isEqualTo(-5);
        assertThat(b.stream().mapToLong(StepSeries.Bucket::nan).sum()).isEqualTo(1);
        assertThat(b.stream().mapToLong(x -> x.count() + x.nan()).sum()).isEqualTo(1_000_000);
        StepSeries.Bucket withNan = b.stream().filter(x -> x.nan() == 1).findFirst().orElseThrow();
        assertThat(withNan.from()).isLessThanOrEqualTo(777_777);
        assertThat(withNan.to()).isGreaterThanOrEqualTo(777_777);
        assertThat(b).allSatisfy(x -> assertThat(x.toMs()).isEqualTo(1_000 + 10 * x.to()));
    }

    @Test
    void aBucketKeepsTheTimeOfItsLatestStepWhateverOrderTheyCame() {
        StepSeries s = new StepSeries(4);
        s.add(0, 100, 1.0);
        s.add(3, 400, 1.0);
        s.add(2, 300, 1.0);
        assertThat(s.buckets()).extracting(StepSeries.Bucket::to, StepSeries.Bucket::toMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 100L), org.assertj.core.groups.Tuple.tuple(2L, 300L),
                        org.assertj.core.groups.Tuple.tuple(3L, 400L));
        s.add(5, 600, 1.0);
        s.add(4, 500, 1.0);
        assertThat(s.width()).isEqualTo(2);
        assertThat(s.buckets()).extracting(StepSeries.Bucket::to, StepSeries.Bucket::toMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 100L), org.assertj.core.groups.Tuple.tuple(3L, 400L),
                        org.assertj.core.groups.Tuple.tuple(5L, 600L));
    }

    @Test
    void aStepGoingBackIsAResumeAndTheCurveContinuesFromIt() {
        TrainingRun run = new TrainingRun("m", "r");
        for (long step = 0; step <= 800; step += 100) {
            run.apply(new TrainingEvent("m", "r", step, null, 1000 + step, Map.of("loss", 1.0 / (step + 1))));
        }
        run.apply(new TrainingEvent("m", "r", 500, null, 5000, Map.of("loss", 0.5)));
        RunState state = run.state();
        assertThat(state.resumes()).containsExactly(new TrainingRun.Resume(800, 500, 5000));
        List<StepSeries.Bucket> loss = state.series().get("loss").buckets();
        assertThat(loss.get(loss.size() - 1).to()).isEqualTo(500);
        assertThat(loss.get(loss.size() - 1).last()).isEqualTo(0.5);
        assertThat(state.problems()).isEmpty();
    }

    @Test
    void runWithoutEventsForTheStallTimeIsStalledOnceAndRunsAgainOnTheNextEvent() {
        TrainingRun run = new TrainingRun("m", "r");
        run.apply(new TrainingEvent("m", "r", 1, null, 10_000, Map.of("loss", 1.0)));
        assertThat(run.checkStalled(10_000 + 600_000, 600_000)).isEmpty();
        assertThat(run.checkStalled(10_001 + 600_000, 600_000)).singleElement()
                .satisfies(p -> assertThat(p.kind()).isEqualTo("stalled"));
        assertThat(run.status()).isEqualTo(RunStatus.STALLED);
        assertThat(run.checkStalled(10_002 + 600_000, 600_000)).isEmpty();
        run.apply(new TrainingEvent("m", "r", 2, null, 700_000, Map.of("loss", 1.0)));
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        run.apply(new TrainingEvent("m", "r", 3, null, 700_001, Map.of(TrainingRun.FINISHED, 1.0)));
        assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.checkStalled(10_000_000, 600_000)).isEmpty();
    }

    @Test
    void metricsBeyondTheLimitAreCountedNotKept() {
        TrainingRun run = new TrainingRun("m", "r");
        java.util.Map<String, Double> many = new java.util.HashMap<>();
        for (int i = 0; i < TrainingRun.MAX_METRICS + 5; i++) {
            many.put("m" + i, 1.0);
        }
        run.apply(new TrainingEvent("m", "r", 0, null, 1, many));
        assertThat(run.state().series()).hasSize(TrainingRun.MAX_METRICS);
        assertThat(run.state().droppedMetrics()).isEqualTo(5);
    }
}
