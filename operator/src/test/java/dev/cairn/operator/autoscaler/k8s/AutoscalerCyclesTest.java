package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.LLMDeploymentStatus;
import dev.cairn.operator.autoscaler.DeploymentKey;
import dev.cairn.operator.autoscaler.Direction;
import dev.cairn.operator.autoscaler.InMemoryAutoscalerStateStore;
import dev.cairn.operator.autoscaler.ScalingDecision;
import dev.cairn.operator.autoscaler.ScrapeResult;
import dev.cairn.operator.autoscaler.ScrapeTarget;
import dev.cairn.operator.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class AutoscalerCyclesTest {
  private static final String NS = "ns";
  private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final LiveDecisions decisions = new LiveDecisions();
  private final List<ScalingDecision> realized = new ArrayList<>();
  private final List<String> conditions = new ArrayList<>();
  private final List<List<ScrapeTarget>> scraped = new ArrayList<>();
  private final Map<String, Double> podLoad = new ConcurrentHashMap<>();
  private final Map<DeploymentKey, List<Pod>> pods = new ConcurrentHashMap<>();

  private final AutoscalerCycles cycles =
      new AutoscalerCycles(
          clock,
          new InMemoryAutoscalerStateStore(),
          (key, d) -> {
            realized.add(d);
            decisions.put(key, d.desiredReplicas());
          },
          (key, active, reason, message) -> conditions.add(reason),
          timeout ->
              targets -> {
                scraped.add(targets);
                return targets.stream()
                    .map(
                        t ->
                            podLoad.containsKey(t.podName())
                                ? ScrapeResult.of(t.podName(), podLoad.get(t.podName()))
                                : ScrapeResult.failed(t.podName(), "refused"))
                    .toList();
              },
          new AutoscalerDesiredReplicas(decisions),
          decisions,
          new AutoscalerGauges(registry),
          Runnable::run,
          9000);

  @Test
  void everyDeploymentGetsReplicaGaugesButOnlyAutoscaledOnesALoad() {
    LLMDeployment fixed = llmd("fixed", "replicas: 3");
    pods.put(key("fixed"), List.of(pod("fixed-a", "10.0.0.1", true), pod("fixed-b", null, false)));

    tick(fixed);

    assertThat(gauge(AutoscalerGauges.DESIRED, "fixed")).isEqualTo(3.0);
    assertThat(gauge(AutoscalerGauges.READY, "fixed")).isEqualTo(1.0);
    assertThat(registry.find(AutoscalerGauges.LOAD).gauges()).isEmpty();
    assertThat(scraped).isEmpty();
  }

  @Test
  void scalesUpAfterTheDelayScrapingOnlyReadyPodsOnTheConfiguredPort() {
    LLMDeployment auto = autoscaled("auto");
    pods.put(
        key("auto"), List.of(pod("auto-a", "10.0.0.1", true), pod("auto-b", "10.0.0.2", false)));
    podLoad.put("auto-a", 8.0);

    for (int s = 0; s <= 3; s++) {
      tick(auto);
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(scraped.getFirst()).containsExactly(new ScrapeTarget("auto-a", "10.0.0.1", 9000));
    assertThat(realized).hasSize(1);
    assertThat(realized.getFirst().direction()).isEqualTo(Direction.UP);
    assertThat(realized.getFirst().desiredReplicas()).isEqualTo(2);
    assertThat(realized.getFirst().reason()).startsWith("Scaled 1 → 2");
    assertThat(gauge(AutoscalerGauges.LOAD, "auto")).isEqualTo(8.0);
    assertThat(gauge(AutoscalerGauges.DESIRED, "auto")).isEqualTo(2.0);
  }

  @Test
  void cyclesRunOncePerMetricsIntervalNotOncePerTick() {
    LLMDeployment auto = autoscaled("auto");
    pods.put(key("auto"), List.of(pod("auto-a", "10.0.0.1", true)));
    podLoad.put("auto-a", 1.0);

    tick(auto);
    clock.advance(Duration.ofMillis(500));
    tick(auto);
    clock.advance(Duration.ofMillis(500));
    tick(auto);

    assertThat(scraped).hasSize(2);
  }

  @Test
  void saysMetricsUnavailableWhenNoReadyPodAnswers() {
    LLMDeployment auto = autoscaled("auto");
    pods.put(key("auto"), List.of(pod("auto-a", "10.0.0.1", true)));

    tick(auto);

    assertThat(conditions).containsExactly(Reason.METRICS_UNAVAILABLE);
  }

  @Test
  void removingAutoscalingOrTheResourceDropsStateAndGauges() {
    LLMDeployment auto = autoscaled("auto");
    pods.put(key("auto"), List.of(pod("auto-a", "10.0.0.1", true)));
    podLoad.put("auto-a", 8.0);
    for (int s = 0; s <= 3; s++) {
      tick(auto);
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(decisions.get(key("auto"))).hasValue(2);

    tick(llmd("auto", "replicas: 1"));
    assertThat(decisions.get(key("auto"))).isEmpty();
    assertThat(registry.find(AutoscalerGauges.LOAD).gauges()).isEmpty();
    assertThat(gauge(AutoscalerGauges.DESIRED, "auto")).isEqualTo(1.0);

    cycles.tick(List.of(), k -> List.of());
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void loweringMaxReplicasUnderLoadIsADecisionOfItsOwnNamingTheBound() {
    pods.put(key("auto"), List.of(pod("auto-a", "10.0.0.1", true)));
    podLoad.put("auto-a", 20.0);
    decisions.put(key("auto"), 5);

    tick(autoscaled("auto", 2));

    assertThat(realized).hasSize(1);
    ScalingDecision d = realized.getFirst();
    assertThat(d.direction()).isEqualTo(Direction.DOWN);
    assertThat(d.desiredReplicas()).isEqualTo(2);
    // The reason is the Event's message (StatusScaleRealizer records it).
    assertThat(d.reason()).isEqualTo("Scaled 5 → 2: above maxReplicas 2");
    assertThat(gauge(AutoscalerGauges.DESIRED, "auto")).isEqualTo(2.0);
  }

  @Test
  void aBoundLoweredWhileTheOperatorWasDownIsADecisionToo() {
    pods.put(key("auto"), List.of(pod("auto-a", "10.0.0.1", true)));
    podLoad.put("auto-a", 20.0);
    LLMDeployment auto = autoscaled("auto", 2);
    auto.setStatus(new LLMDeploymentStatus());
    auto.getStatus().setDesiredReplicas(4);

    tick(auto);

    assertThat(realized)
        .extracting(ScalingDecision::reason)
        .containsExactly("Scaled 4 → 2: above maxReplicas 2");
  }

  private void tick(LLMDeployment... all) {
    cycles.tick(List.of(all), k -> pods.getOrDefault(k, List.of()));
  }

  private double gauge(String name, String deployment) {
    Gauge g = registry.find(name).tags("namespace", NS, "deployment", deployment).gauge();
    assertThat(g).as(name + " for " + deployment).isNotNull();
    return g.value();
  }

  private static DeploymentKey key(String name) {
    return new DeploymentKey(NS, name);
  }

  private static LLMDeployment autoscaled(String name) {
    return autoscaled(name, 2);
  }

  private static LLMDeployment autoscaled(String name, int maxReplicas) {
    return llmd(
        name,
        """
        autoscaling:
          minReplicas: 1
          maxReplicas: %d
          targetOngoingRequests: 2
          upscaleDelaySeconds: 2
          downscaleDelaySeconds: 4
          lookBackPeriodSeconds: 2
          metricsIntervalSeconds: 1
        """
            .formatted(maxReplicas));
  }

  private static LLMDeployment llmd(String name, String extra) {
    String doc =
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: %s, namespace: %s, generation: 1}
        spec:
          model: {id: tiny, source: "file:///models/tiny"}
          accelerator: {type: cpu, count: 0}
        """
                .formatted(name, NS)
            + extra.indent(2);
    return Serialization.unmarshal(doc, LLMDeployment.class);
  }

  private static Pod pod(String name, String ip, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels(CairnNames.LABEL_MANAGED_BY, CairnNames.MANAGED_BY)
        .endMetadata()
        .withNewStatus()
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }
}
