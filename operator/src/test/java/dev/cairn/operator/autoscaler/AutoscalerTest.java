package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.operator.testing.FakeClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole cycle on synthetic traces: fake metrics, fake cluster, fake clock. */
class AutoscalerTest {
  private static final DeploymentKey KEY = new DeploymentKey("ns", "llm");

  private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final FakeMetrics metrics = new FakeMetrics();
  private final FakeCluster cluster = new FakeCluster();
  private final InMemoryAutoscalerStateStore store = new InMemoryAutoscalerStateStore();
  private Autoscaler autoscaler = new Autoscaler(metrics, store, cluster, clock);

  /** Per-pod readings; a pod missing from the map fails its scrape. */
  static final class FakeMetrics implements MetricsSource {
    final Map<String, Double> values = new HashMap<>();
    final List<String> asked = new ArrayList<>();

    @Override
    public List<ScrapeResult> scrape(List<ScrapeTarget> targets) {
      List<ScrapeResult> out = new ArrayList<>();
      for (ScrapeTarget t : targets) {
        asked.add(t.podName());
        Double v = values.get(t.podName());
        out.add(
            v == null
                ? ScrapeResult.failed(t.podName(), "refused")
                : ScrapeResult.of(t.podName(), v));
      }
      return out;
    }
  }

  /** Records realized decisions as the Deployment's replica count; can be made to fail. */
  static final class FakeCluster implements ScaleRealizer {
    int replicas;
    boolean failNext;
    final List<ScalingDecision> realized = new ArrayList<>();

    @Override
    public void realize(DeploymentKey key, ScalingDecision decision) {
      if (failNext) {
        failNext = false;
        throw new IllegalStateException("API server unavailable");
      }
      realized.add(decision);
      replicas = decision.desiredReplicas();
    }
  }

  private static List<ScrapeTarget> pods(String... names) {
    List<ScrapeTarget> out = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      out.add(new ScrapeTarget(names[i], "10.0.0." + (i + 1), 8000));
    }
    return out;
  }

  private void load(double perPod, String... names) {
    for (String n : names) {
      metrics.values.put(n, perPod);
    }
  }

  private Autoscaler.CycleResult cycle(ScalingSpec spec, List<ScrapeTarget> ready)
      throws Exception {
    Autoscaler.CycleResult r = autoscaler.runCycle(KEY, spec, cluster.replicas, ready);
    clock.advanceSeconds(spec.metricsIntervalSeconds());
    return r;
  }

  @Test
  void rampUpFollowsRaysCountsAfterTheDelay() throws Exception {
    ScalingSpec spec = ScalingSpec.defaults(1, 8); // target 2, up delay 30 s, look back 30 s
    cluster.replicas = 2;
    List<ScrapeTarget> ready = pods("a", "b");
    load(5, "a", "b"); // load 10 -> desired 5
    List<Integer> counts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      counts.add(cycle(spec, ready).decision().desiredReplicas());
    }
    // t=0,10,20 pending; t=30 the up decision has held 30 s: ceil(2 + (5 - 2)) = 5.
    assertThat(counts).containsExactly(2, 2, 2, 5);
    assertThat(cluster.realized).hasSize(1);
    assertThat(cluster.realized.get(0).reason())
        .isEqualTo("Scaled 2 → 5: 5.0 ongoing requests per replica, target 2");
  }

  @Test
  void averageOverTheWindowSmoothsASpike() throws Exception {
    ScalingSpec spec = new ScalingSpec(1, 10, 1, 2.0, 0, 0, 1.0, 1.0, 30, 10, Map.of());
    cluster.replicas = 1;
    List<ScrapeTarget> ready = pods("a");
    load(2, "a");
    cycle(spec, ready); // t=0: 2
    cycle(spec, ready); // t=10: 2
    load(8, "a");
    // t=20: window average (2 + 2 + 8) / 3 = 4 -> desired 2: ceil(1 + 1) = 2.
    Autoscaler.CycleResult r = cycle(spec, ready);
    assertThat(r.load().load()).isEqualTo(4.0);
    assertThat(r.decision().desiredReplicas()).isEqualTo(2);
  }

  @Test
  void notReadyReplicasAreNeitherScrapedNorIdleCapacity() throws Exception {
    ScalingSpec spec = new ScalingSpec(1, 10, 1, 2.0, 0, 0, 1.0, 1.0, 30, 10, Map.of());
    cluster.replicas = 4;
    load(2, "a", "b");
    load(0, "c", "d"); // c and d are still starting: would read as idle if scraped
    List<ScrapeTarget> ready = pods("a", "b");
    // Past the restart window so a scale-down would be allowed if the load justified one.
    for (int i = 0; i < 4; i++) {
      cycle(spec, ready);
    }
    // Load 4 over the ready pods, target 2: desired 2. The starting pods neither add readings
    // nor count as unobserved (which would block the shrink), so after the 30 s restart window
    // the count goes 4 -> 2.
    assertThat(cluster.replicas).isEqualTo(2);
    assertThat(cluster.realized.get(0).reason())
        .isEqualTo("Scaled 4 → 2: 2.0 ongoing requests per replica, target 2");
    assertThat(metrics.asked).doesNotContain("c", "d");
  }

  @Test
  void failedScrapesNeverScaleDown() throws Exception {
    ScalingSpec spec = new ScalingSpec(1, 10, 1, 2.0, 0, 0, 1.0, 1.0, 30, 10, Map.of());
    cluster.replicas = 3;
    List<ScrapeTarget> ready = pods("a", "b", "c");
    load(0, "a", "b"); // c never answers
    for (int i = 0; i < 100; i++) {
      Autoscaler.CycleResult r = cycle(spec, ready);
      assertThat(r.load().unobservedPods()).containsExactly("c");
    }
    assertThat(cluster.replicas).isEqualTo(3);
    assertThat(cluster.realized).isEmpty();
  }

  @Test
  void aPodThatStopsAnsweringBecomesStale() throws Exception {
    ScalingSpec spec = new ScalingSpec(1, 10, 1, 2.0, 0, 0, 1.0, 1.0, 60, 10, Map.of());
    cluster.replicas = 2;
    List<ScrapeTarget> ready = pods("a", "b");
    load(2, "a", "b");
    cycle(spec, ready);
    metrics.values.remove("b");
    // b's last sample (t=0) stays in the 60 s window but is stale after 2 x 10 s.
    assertThat(cycle(spec, ready).load().unobservedPods()).isEmpty(); // t=10
    assertThat(cycle(spec, ready).load().unobservedPods()).isEmpty(); // t=20: exactly 2 intervals
    assertThat(cycle(spec, ready).load().unobservedPods()).containsExactly("b"); // t=30
  }

  @Test
  void operatorRestartWaitsAFullLookBackWindowBeforeScalingDown() throws Exception {
    ScalingSpec spec = new ScalingSpec(1, 10, 1, 2.0, 0, 0, 1.0, 1.0, 30, 10, Map.of());
    cluster.replicas = 4;
    List<ScrapeTarget> ready = pods("a", "b", "c", "d");
    load(0, "a", "b", "c", "d");
    // A new process: empty store, replica count read back from the cluster.
    autoscaler = new Autoscaler(metrics, new InMemoryAutoscalerStateStore(), cluster, clock);
    List<Integer> counts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      counts.add(cycle(spec, ready).decision().desiredReplicas());
    }
    assertThat(counts).containsExactly(4, 4, 4, 1);
  }

  @Test
  void aFailedRealizationIsRetriedOnTheNextCycle() throws Exception {
    ScalingSpec spec = ScalingSpec.defaults(1, 8);
    cluster.replicas = 1;
    List<ScrapeTarget> ready = pods("a");
    load(6, "a"); // desired 3
    cycle(spec, ready);
    cycle(spec, ready);
    cycle(spec, ready);
    cluster.failNext = true;
    assertThatThrownBy(() -> cycle(spec, ready)).hasMessage("API server unavailable");
    assertThat(cluster.replicas).isEqualTo(1);
    // The timer was not reset by the failed write: the change lands at once, not 30 s later.
    assertThat(cycle(spec, ready).decision().desiredReplicas()).isEqualTo(3);
    assertThat(cluster.replicas).isEqualTo(3);
  }

  @Test
  void nextCycleIsDueOneMetricsIntervalAfterTheLast() throws Exception {
    ScalingSpec spec = ScalingSpec.defaults(1, 2); // every 10 s
    cluster.replicas = 1;
    load(1, "a");
    assertThat(autoscaler.untilNextCycle(KEY, spec)).isZero();
    autoscaler.runCycle(KEY, spec, cluster.replicas, pods("a"));
    assertThat(autoscaler.untilNextCycle(KEY, spec)).hasSeconds(10);
    clock.advanceSeconds(4);
    assertThat(autoscaler.untilNextCycle(KEY, spec)).hasSeconds(6);
    clock.advanceSeconds(30);
    assertThat(autoscaler.untilNextCycle(KEY, spec)).isZero();
  }

  @Test
  void forgetDropsTheState() throws Exception {
    cluster.replicas = 1;
    load(1, "a");
    cycle(ScalingSpec.defaults(1, 2), pods("a"));
    assertThat(store.get(KEY)).isPresent();
    autoscaler.forget(KEY);
    assertThat(store.get(KEY)).isEmpty();
  }
}
