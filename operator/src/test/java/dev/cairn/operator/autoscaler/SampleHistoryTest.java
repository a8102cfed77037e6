package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Window averages, trimming and staleness over synthetic series. */
class SampleHistoryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ScalingSpec SPEC = ScalingSpec.defaults(1, 10); // look back 30 s, every 10 s
  private static final Duration LOOK_BACK = Duration.ofSeconds(30);

  private final SampleHistory history = new SampleHistory();

  private void sample(String pod, long second, double value) {
    history.record(new MetricSample(pod, T0.plusSeconds(second), value));
  }

  @Test
  void averagesOnlyTheLookBackWindow() {
    sample("a", 0, 100); // exactly 30 s old at t=30: outside the (now-30, now] window
    sample("a", 10, 1);
    sample("a", 20, 2);
    sample("a", 30, 6);
    assertThat(history.average("a", T0.plusSeconds(30), LOOK_BACK)).isEqualTo(3.0);
    history.trim(T0.plusSeconds(30), LOOK_BACK);
    assertThat(history.size("a")).isEqualTo(3);
  }

  @Test
  void loadSumsEachReplicasAverage() {
    sample("a", 10, 1);
    sample("a", 20, 3); // average 2
    sample("b", 10, 4);
    sample("b", 20, 6); // average 5
    LoadSnapshot s = history.snapshot(List.of("a", "b"), T0.plusSeconds(20), SPEC);
    assertThat(s.load()).isCloseTo(7.0, within(1e-12));
    assertThat(s.readyReplicas()).isEqualTo(2);
    assertThat(s.complete()).isTrue();
    assertThat(s.perReplica()).isCloseTo(3.5, within(1e-12));
  }

  @Test
  void neverScrapedAndStaleReplicasAreFlaggedNotCountedAsIdle() {
    sample("a", 0, 4);
    sample("a", 30, 4);
    sample("b", 5, 9); // newest sample 25 s old at t=30: older than 2 x 10 s, stale
    LoadSnapshot s = history.snapshot(List.of("a", "b", "c"), T0.plusSeconds(30), SPEC);
    assertThat(s.load()).isEqualTo(4.0);
    assertThat(s.unobservedPods()).containsExactly("b", "c");
    assertThat(s.complete()).isFalse();
  }

  @Test
  void sampleExactlyTwoIntervalsOldIsStillFresh() {
    sample("a", 10, 2);
    LoadSnapshot s = history.snapshot(List.of("a"), T0.plusSeconds(30), SPEC);
    assertThat(s.unobservedPods()).isEmpty();
    assertThat(s.load()).isEqualTo(2.0);
  }

  @Test
  void retainPodsForgetsReplicasThatLeft() {
    sample("a", 10, 2);
    sample("gone", 10, 50);
    history.retainPods(List.of("a"));
    assertThat(history.size("gone")).isZero();
    assertThat(history.snapshot(List.of("a"), T0.plusSeconds(10), SPEC).load()).isEqualTo(2.0);
  }

  @Test
  void outOfOrderSampleIsDropped() {
    sample("a", 20, 2);
    sample("a", 10, 100);
    assertThat(history.size("a")).isEqualTo(1);
    assertThat(history.average("a", T0.plusSeconds(20), LOOK_BACK)).isEqualTo(2.0);
  }

  @Test
  void emptyReadySetGivesAnIncompleteSnapshot() {
    LoadSnapshot s = history.snapshot(List.of(), T0, SPEC);
    assertThat(s.readyReplicas()).isZero();
    assertThat(s.complete()).isFalse();
    assertThat(s.perReplica()).isZero();
  }
}
