package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.operator.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Autoscaling on LLM signals besides ongoing requests: per signal, the replica count it asks for,
 * the maximum over signals, the same delays, and the reason naming the signal that decided.
 */
class SignalScalingTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ScalingSpec BASE = ScalingSpec.defaults(1, 10);

  private final ScalingPolicy policy = new ScalingPolicy();
  private final FakeClock clock = new FakeClock(T0);
  private int current;
  private PolicyState state = PolicyState.startedAt(T0.minusSeconds(3600));

  private static LoadSnapshot load(double ongoing, int ready, Map<Signal, Double> signals) {
    return new LoadSnapshot(ongoing, ready, List.of(), signals);
  }

  private List<Integer> run(ScalingSpec spec, LoadSnapshot load, int seconds) {
    List<Integer> counts = new ArrayList<>();
    for (int t = 0; t <= seconds; t += 10) {
      ScalingPolicy.Evaluation e = policy.evaluate(spec, current, load, clock.instant(), state);
      state = e.next();
      current = e.decision().desiredReplicas();
      counts.add(current);
      clock.advanceSeconds(10);
    }
    return counts;
  }

  private String reason(ScalingSpec spec, LoadSnapshot load) {
    return policy.evaluate(spec, current, load, clock.instant(), state).decision().reason();
  }

  @Test
  void waitingRequestsScaleUpAfterTheUpscaleDelay() {
    current = 2;
    ScalingSpec spec = BASE.withSignalTargets(Map.of(Signal.WAITING_REQUESTS, 4.0));
    // 2 ongoing (below target 2 per replica), but 24 waiting over 2 replicas: 24 / 4 = 6.
    LoadSnapshot l = load(2, 2, Map.of(Signal.WAITING_REQUESTS, 24.0));
    assertThat(reason(spec, l))
        .isEqualTo(
            "Holding 2: 12.00 waiting requests per replica, target 4 (signal waiting requests"
                + " decided); scale-up to 6 pending (0s of 30s)");
    assertThat(run(spec, l, 30)).containsExactly(2, 2, 2, 6);
  }

  @Test
  void kvCacheUsageScalesUpWhenReplicasRunFull() {
    current = 2;
    ScalingSpec spec = BASE.withSignalTargets(Map.of(Signal.KV_CACHE_USAGE, 0.6));
    // Both replicas at 0.9: 1.8 / 0.6 = 3 replicas.
    LoadSnapshot l = load(1, 2, Map.of(Signal.KV_CACHE_USAGE, 1.8));
    assertThat(run(spec, l, 30)).containsExactly(2, 2, 2, 3);
    assertThat(state.pendingSince()).isNull();
  }

  @Test
  void tokensPerSecondScaleDownAfterTheDownscaleDelay() {
    current = 4;
    ScalingSpec spec = BASE.withSignalTargets(Map.of(Signal.TOKENS_PER_SECOND, 50.0));
    // 4 replicas producing 90 tokens/s in all: 90 / 50 → 2; ongoing requests ask for 1.
    LoadSnapshot l = load(1, 4, Map.of(Signal.TOKENS_PER_SECOND, 90.0));
    List<Integer> counts = run(spec, l, 600);
    assertThat(counts.subList(0, 60)).containsOnly(4);
    assertThat(counts.get(60)).isEqualTo(2);
  }

  @Test
  void theSignalAskingForMostReplicasDecides() {
    current = 2;
    ScalingSpec spec =
        BASE.withSignalTargets(
            Map.of(Signal.WAITING_REQUESTS, 4.0, Signal.TOKENS_PER_SECOND, 10.0));
    // ongoing 8/2 = 4, waiting 8/4 = 2, tokens/s 70/10 = 7: tokens/s decides.
    LoadSnapshot l =
        load(8, 2, Map.of(Signal.WAITING_REQUESTS, 8.0, Signal.TOKENS_PER_SECOND, 70.0));
    assertThat(ScalingPolicy.decidingSignal(spec, current, l)).isEqualTo(Signal.TOKENS_PER_SECOND);
    assertThat(run(spec, l, 30)).containsExactly(2, 2, 2, 7);
    // Ongoing requests decide once the others ask for fewer.
    LoadSnapshot busy =
        load(20, 7, Map.of(Signal.WAITING_REQUESTS, 0.0, Signal.TOKENS_PER_SECOND, 0.0));
    assertThat(ScalingPolicy.decidingSignal(spec, current, busy))
        .isEqualTo(Signal.ONGOING_REQUESTS);
  }

  @Test
  void targetsAreValidatedNamingTheField() {
    assertThatThrownBy(() -> BASE.withSignalTargets(Map.of(Signal.KV_CACHE_USAGE, 1.5)))
        .hasMessage(
            "autoscaling.targetKvCacheUsage must be <= 1 (a fraction of the KV pool), got 1.5");
    assertThatThrownBy(() -> BASE.withSignalTargets(Map.of(Signal.TOKENS_PER_SECOND, 0.0)))
        .hasMessage("autoscaling.targetTokensPerSecond must be > 0, got 0.0");
    assertThatThrownBy(() -> BASE.withSignalTargets(Map.of(Signal.ONGOING_REQUESTS, 3.0)))
        .hasMessageContaining("autoscaling.targetOngoingRequests is set apart");
  }

  @Test
  void tokensPerSecondIsTheCounterRateOverTheWindow() {
    SampleHistory h = new SampleHistory();
    ScalingSpec spec = BASE.withSignalTargets(Map.of(Signal.TOKENS_PER_SECOND, 50.0));
    h.record(sample("a", 0, 1000));
    // One sample is no rate: the pod is unobserved, never idle.
    assertThat(h.snapshot(List.of("a"), T0, spec).unobservedPods()).containsExactly("a");
    h.record(sample("a", 10, 1400));
    // A restart: the counter starts again from 0, and its 300 count as generated.
    h.record(sample("a", 20, 300));
    LoadSnapshot s = h.snapshot(List.of("a"), T0.plusSeconds(20), spec);
    assertThat(s.unobservedPods()).isEmpty();
    assertThat(s.load(Signal.TOKENS_PER_SECOND)).isEqualTo((400.0 + 300.0) / 20);
    assertThat(
            h.signalValue(
                "a", Signal.TOKENS_PER_SECOND, T0.plusSeconds(20), Duration.ofSeconds(30)))
        .isEqualTo(35.0);
  }

  @Test
  void aPodWithoutAConfiguredSignalBlocksDownscaleButNotTheOthers() {
    SampleHistory h = new SampleHistory();
    ScalingSpec spec = BASE.withSignalTargets(Map.of(Signal.WAITING_REQUESTS, 4.0));
    h.record(new MetricSample("a", T0, 1, Map.of(Signal.WAITING_REQUESTS, 6.0)));
    h.record(new MetricSample("b", T0, 1, Map.of()));
    LoadSnapshot s = h.snapshot(List.of("a", "b"), T0, spec);
    assertThat(s.unobservedPods()).containsExactly("b");
    assertThat(s.load(Signal.WAITING_REQUESTS)).isEqualTo(6.0);
    assertThat(s.load()).isEqualTo(2.0);
  }

  private static MetricSample sample(String pod, int second, double tokens) {
    return new MetricSample(
        pod, T0.plusSeconds(second), 0, Map.of(Signal.TOKENS_PER_SECOND, tokens));
  }
}
