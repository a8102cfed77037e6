package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.operator.testing.FakeClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy's delays and safety rules, driven by a fake clock one period at a time. */
class ScalingPolicyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  // Ray's defaults: target 2, up after 30 s, down after 600 s, look back 30 s, scrape every 10 s.
  private static final ScalingSpec SPEC = ScalingSpec.defaults(1, 10);

  private final ScalingPolicy policy = new ScalingPolicy();
  private final FakeClock clock = new FakeClock(T0);
  private int current;
  // Observing for an hour already, so restart safety does not interfere unless a test asks.
  private PolicyState state = PolicyState.startedAt(T0.minusSeconds(3600));

  private static LoadSnapshot observed(double load, int ready) {
    return new LoadSnapshot(load, ready, List.of());
  }

  private ScalingDecision step(ScalingSpec spec, LoadSnapshot load) {
    ScalingPolicy.Evaluation e = policy.evaluate(spec, current, load, clock.instant(), state);
    state = e.next();
    current = e.decision().desiredReplicas();
    return e.decision();
  }

  // Evaluates every 10 s for `seconds` (inclusive of the first instant) and returns the counts.
  private List<Integer> run(ScalingSpec spec, LoadSnapshot load, int seconds) {
    List<Integer> counts = new ArrayList<>();
    for (int t = 0; t <= seconds; t += 10) {
      counts.add(step(spec, load).desiredReplicas());
      clock.advanceSeconds(10);
    }
    return counts;
  }

  @Test
  void stepUpWaitsForTheUpscaleDelay() {
    current = 2;
    // 8 ongoing over 2 replicas: desired 4. Proposed at t=0,10,20; held 30 s at t=30.
    ScalingDecision first = step(SPEC, observed(8, 2));
    assertThat(first.direction()).isEqualTo(Direction.NONE);
    assertThat(first.reason())
        .isEqualTo(
            "Holding 2: 4.0 ongoing requests per replica, target 2; scale-up to 4 pending (0s of"
                + " 30s)");
    clock.advanceSeconds(10);
    assertThat(run(SPEC, observed(8, 2), 30)).containsExactly(2, 2, 4, 4);
  }

  @Test
  void stepDownWaitsForTheDownscaleDelay() {
    current = 4;
    // 2 ongoing over 4 replicas: desired 1; applied once held for 600 s (61st evaluation).
    List<Integer> counts = run(SPEC, observed(2, 4), 610);
    assertThat(counts.subList(0, 60)).containsOnly(4);
    assertThat(counts.get(60)).isEqualTo(1);
  }

  @Test
  void exactReasonOfAChange() {
    ScalingSpec noDelay = new ScalingSpec(1, 5, 1, 2.0, 0, 0, 1.0, 1.0, 30, 10, Map.of());
    current = 3;
    ScalingDecision d = step(noDelay, observed(28.8, 3));
    assertThat(d.direction()).isEqualTo(Direction.UP);
    assertThat(d.desiredReplicas()).isEqualTo(5);
    assertThat(d.reason()).isEqualTo("Scaled 3 → 5: 9.6 ongoing requests per replica, target 2");
    assertThat(d.decidedAt()).isEqualTo(T0);
  }

  @Test
  void oscillatingLoadNeverFlaps() {
    current = 3;
    // High (desired 6) and low (desired 1) alternate every 20 s: each flip restarts the timer,
    // so neither the 30 s upscale nor the 600 s downscale delay is ever reached.
    for (int t = 0; t < 3600; t += 10) {
      double load = (t / 20) % 2 == 0 ? 12 : 2;
      assertThat(step(SPEC, observed(load, 3)).desiredReplicas()).as("t=%d", t).isEqualTo(3);
      clock.advanceSeconds(10);
    }
  }

  @Test
  void noChangeResetsThePendingTimer() {
    current = 2;
    step(SPEC, observed(8, 2)); // t=0 up pending
    clock.advanceSeconds(20);
    step(SPEC, observed(4, 2)); // t=20 on target: timer reset
    clock.advanceSeconds(10);
    // Up again from t=30: must hold for 30 s more, so the change lands at t=60, not t=30.
    assertThat(run(SPEC, observed(8, 2), 30)).containsExactly(2, 2, 2, 4);
  }

  @Test
  void factorsShapeTheStepSize() {
    ScalingSpec halfUp = new ScalingSpec(1, 20, 1, 2.0, 0, 0, 0.5, 1.0, 30, 10, Map.of());
    current = 2;
    // desired 10 each time: ceil(2 + 0.5*8) = 6, ceil(6 + 0.5*4) = 8, 9, 10 (ceil(9.5)), 10.
    List<Integer> counts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      counts.add(step(halfUp, observed(20, current)).desiredReplicas());
      clock.advanceSeconds(10);
    }
    assertThat(counts).containsExactly(6, 8, 9, 10, 10);

    ScalingSpec doubleDown = new ScalingSpec(1, 20, 1, 2.0, 0, 0, 1.0, 2.0, 30, 10, Map.of());
    current = 10;
    // desired 7: ceil(10 + 2*(-3)) = 4; then desired 7 from 4 is up with factor 1: 7.
    assertThat(step(doubleDown, observed(14, 10)).desiredReplicas()).isEqualTo(4);
    assertThat(step(doubleDown, observed(14, 4)).desiredReplicas()).isEqualTo(7);
  }

  @Test
  void boundsClampAtOnceWhenTheSpecChanges() {
    ScalingSpec spec = ScalingSpec.defaults(3, 6);
    current = 1;
    ScalingDecision up = step(spec, observed(0, 1));
    assertThat(up.desiredReplicas()).isEqualTo(3);
    assertThat(up.direction()).isEqualTo(Direction.UP);
    assertThat(up.reason()).isEqualTo("Scaled 1 → 3: below minReplicas 3");
    current = 9;
    ScalingDecision down = step(spec, observed(100, 9));
    assertThat(down.desiredReplicas()).isEqualTo(6);
    assertThat(down.reason()).isEqualTo("Scaled 9 → 6: above maxReplicas 6");
  }

  @Test
  void minEqualsMaxNeverMoves() {
    ScalingSpec fixed = ScalingSpec.defaults(3, 3);
    current = 3;
    assertThat(run(fixed, observed(100, 3), 700)).containsOnly(3);
    assertThat(run(fixed, observed(0, 3), 700)).containsOnly(3);
  }

  @Test
  void missingOrStaleMetricsNeverScaleDown() {
    current = 4;
    // Three replicas idle, the fourth unobserved: its load is unknown, so no shrink, ever.
    LoadSnapshot partial = new LoadSnapshot(0, 4, List.of("pod-d"));
    assertThat(run(SPEC, partial, 1200)).containsOnly(4);
    assertThat(step(SPEC, partial).reason())
        .contains("not scaling down: no fresh metrics from pod-d");
  }

  @Test
  void partialMetricsStillScaleUp() {
    current = 2;
    // The observed replica alone already carries 12: a lower bound that justifies growing.
    LoadSnapshot partial = new LoadSnapshot(12, 2, List.of("pod-b"));
    assertThat(run(SPEC, partial, 30)).containsExactly(2, 2, 2, 6);
  }

  @Test
  void noReadyReplicasHolds() {
    current = 3;
    ScalingDecision d = step(SPEC, new LoadSnapshot(0, 0, List.of()));
    assertThat(d.desiredReplicas()).isEqualTo(3);
    assertThat(d.reason()).isEqualTo("Holding 3: no ready replicas to measure");
  }

  @Test
  void afterARestartNoScaleDownBeforeAFullLookBackWindow() {
    ScalingSpec quickDown = new ScalingSpec(1, 10, 1, 2.0, 30, 0, 1.0, 1.0, 30, 10, Map.of());
    state = PolicyState.startedAt(T0); // the operator just started
    current = 4;
    ScalingDecision first = step(quickDown, observed(0, 4));
    assertThat(first.reason())
        .endsWith(
            "not scaling down: observed 0s of the 30s look-back window since the operator"
                + " started");
    clock.advanceSeconds(10);
    // t=10, t=20 still inside the first window; t=30 the window is full and downscale delay is 0.
    assertThat(run(quickDown, observed(0, 4), 20)).containsExactly(4, 4, 1);
  }

  @Test
  void afterARestartScaleUpIsNotDelayedByObservation() {
    ScalingSpec quickUp = new ScalingSpec(1, 10, 1, 2.0, 0, 600, 1.0, 1.0, 30, 10, Map.of());
    state = PolicyState.startedAt(T0);
    current = 1;
    assertThat(step(quickUp, observed(8, 1)).desiredReplicas()).isEqualTo(4);
  }

  // minReplicas 0, no delays beyond Ray's: target 2, down after 600 s.
  private static final ScalingSpec TO_ZERO = ScalingSpec.defaults(0, 3);

  @Test
  void anIdleReplicaScalesToZeroAfterTheDownscaleDelay() {
    current = 1;
    List<Integer> counts = run(TO_ZERO, observed(0, 1), 600);
    assertThat(counts.subList(0, 60)).containsOnly(1);
    assertThat(counts.get(60)).isZero();
  }

  @Test
  void oneOngoingRequestKeepsTheLastReplica() {
    current = 1;
    assertThat(run(TO_ZERO, observed(0.5, 1), 1200)).containsOnly(1);
  }

  @Test
  void heldRequestsScaleFromZeroToOneAtOnce() {
    current = 0;
    ScalingDecision idle = step(TO_ZERO, observed(0, 0));
    assertThat(idle.desiredReplicas()).isZero();
    assertThat(idle.reason())
        .isEqualTo("Holding 0: scaled to zero, no requests held at the activator");
    ScalingDecision woken = step(TO_ZERO, observed(0, 0).withHeld(20));
    assertThat(woken.direction()).isEqualTo(Direction.UP);
    assertThat(woken.desiredReplicas()).isEqualTo(1);
    assertThat(woken.reason()).isEqualTo("Scaled 0 → 1: 20 requests held at the activator");
  }

  @Test
  void heldRequestsCountAsLoadOnceAReplicaRuns() {
    current = 1;
    ScalingSpec noDelay = new ScalingSpec(0, 4, 0, 2.0, 0, 0, 1.0, 1.0, 30, 10, Map.of());
    ScalingDecision d = step(noDelay, observed(2, 1).withHeld(4));
    assertThat(d.desiredReplicas()).isEqualTo(3);
    assertThat(d.reason())
        .isEqualTo(
            "Scaled 1 → 3: 6.0 ongoing requests per replica, target 2, 4 held at the activator");
  }

  @Test
  void aStartingReplicaIsNotScaledBackToZero() {
    current = 1;
    assertThat(run(TO_ZERO, observed(0, 0), 1200)).containsOnly(1);
  }
}
