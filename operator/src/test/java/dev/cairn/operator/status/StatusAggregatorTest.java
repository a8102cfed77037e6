package dev.cairn.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.LLMDeploymentStatus;
import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Status from deployment counts and pods, with a fixed clock for honest transition times. */
class StatusAggregatorTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T10:05:00Z");
  private static final ModelLoadProgress NO_PROGRESS = pod -> OptionalDouble.empty();

  private static LLMDeployment llmd() {
    return Serialization.unmarshal(
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: tiny, namespace: demo, generation: 2}
        spec:
          model: {source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          replicas: 2
        """,
        LLMDeployment.class);
  }

  private static Optional<Deployment> deployment(int replicas, int ready, int updated) {
    return Optional.of(
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("tiny")
            .withGeneration(1L)
            .endMetadata()
            .withNewStatus()
            .withObservedGeneration(1L)
            .withReplicas(replicas)
            .withReadyReplicas(ready)
            .withUpdatedReplicas(updated)
            .endStatus()
            .build());
  }

  private static Condition condition(LLMDeploymentStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static StatusAggregator at(Instant t) {
    return new StatusAggregator(Clock.fixed(t, ZoneOffset.UTC));
  }

  @Test
  void allReadyIsReadyAndNotProgressing() {
    LLMDeploymentStatus s =
        at(T0).aggregate(llmd(), 2, deployment(2, 2, 2), List.of(), NO_PROGRESS).status();
    assertThat(condition(s, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(s, Conditions.READY).getMessage()).isEqualTo("2/2 replicas ready");
    assertThat(condition(s, Conditions.PROGRESSING).getReason()).isEqualTo(Reason.ROLLOUT_COMPLETE);
    assertThat(condition(s, Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(condition(s, Conditions.SCALING_ACTIVE).getReason())
        .isEqualTo(Reason.AUTOSCALING_DISABLED);
    assertThat(s.getReady()).isEqualTo("2/2");
    assertThat(s.getObservedGeneration()).isEqualTo(2L);
    assertThat(s.getSelector())
        .isEqualTo("app.kubernetes.io/name=cairn-worker,app.kubernetes.io/instance=tiny");
    assertThat(s.getEndpoint()).isEqualTo("http://tiny.demo.svc:8000/v1");
    assertThat(s.getModel()).isEqualTo("tiny");
    assertThat(condition(s, Conditions.READY).getObservedGeneration()).isEqualTo(2L);
    assertThat(s.getLoraAdapters()).isNull();
  }

  @Test
  void declaredLoraAdaptersAreCounted() {
    LLMDeployment llmd = llmd();
    LoraSpec lora = new LoraSpec();
    lora.setAdapters(
        List.of(
            new LoraAdapterSpec("shouty", "file:models/tiny-shakespeare-lora/shouty"),
            new LoraAdapterSpec("plain", "file:models/tiny-shakespeare-lora/plain")));
    llmd.getSpec().setLora(lora);
    LLMDeploymentStatus s =
        at(T0).aggregate(llmd, 2, deployment(2, 2, 2), List.of(), NO_PROGRESS).status();
    assertThat(s.getLoraAdapters()).isEqualTo(2);
    lora.setAdapters(List.of());
    assertThat(at(T0).invalid(llmd, "bad", deployment(2, 2, 2)).status().getLoraAdapters())
        .isZero();
  }

  @Test
  void loadingPodsReportTheirProgress() {
    ModelLoadProgress p =
        pod -> OptionalDouble.of(pod.getMetadata().getName().equals("a") ? 0.45 : 0.8);
    LLMDeploymentStatus s =
        at(T0)
            .aggregate(
                llmd(),
                2,
                deployment(2, 0, 2),
                List.of(
                    TestPods.loading("a", "tiny", "10.0.0.1"),
                    TestPods.loading("b", "tiny", "10.0.0.2")),
                p)
            .status();
    Condition progressing = condition(s, Conditions.PROGRESSING);
    assertThat(progressing.getReason()).isEqualTo(Reason.LOADING_MODEL);
    assertThat(progressing.getMessage()).isEqualTo("loading model: 45% (least advanced of 2 pods)");
    assertThat(condition(s, Conditions.READY).getStatus()).isEqualTo("False");
  }

  @Test
  void transitionTimeMovesOnlyWhenTheStatusFlips() {
    LLMDeployment llmd = llmd();
    llmd.setStatus(at(T0).aggregate(llmd, 2, deployment(2, 1, 2), List.of(), NO_PROGRESS).status());
    LLMDeploymentStatus later =
        at(T1)
            .aggregate(
                llmd,
                2,
                deployment(2, 1, 2),
                List.of(TestPods.crashLooping("a", "tiny")),
                NO_PROGRESS)
            .status();
    assertThat(condition(later, Conditions.READY).getLastTransitionTime())
        .isEqualTo("2026-01-01T10:00:00Z");
    assertThat(condition(later, Conditions.DEGRADED).getLastTransitionTime())
        .isEqualTo("2026-01-01T10:05:00Z");
    assertThat(condition(later, Conditions.DEGRADED).getReason()).isEqualTo(Reason.CRASH_LOOP);
  }

  @Test
  void invalidSpecIsDegradedAndKeepsOtherOwnersConditions() {
    LLMDeployment llmd = llmd();
    LLMDeploymentStatus old = new LLMDeploymentStatus();
    old.setDesiredReplicas(3);
    old.setConditions(
        List.of(
            new io.fabric8.kubernetes.api.model.ConditionBuilder()
                .withType(Conditions.MONITORING_READY)
                .withStatus("False")
                .withReason(Reason.SERVICE_MONITOR_CRD_MISSING)
                .withLastTransitionTime("2025-12-31T00:00:00Z")
                .build()));
    llmd.setStatus(old);
    StatusAggregator.Result r =
        at(T0).invalid(llmd, "spec.replicas: must be at least 0, got -1", Optional.empty());
    assertThat(condition(r.status(), Conditions.DEGRADED).getReason())
        .isEqualTo(Reason.INVALID_SPEC);
    assertThat(condition(r.status(), Conditions.DEGRADED).getMessage())
        .isEqualTo("spec.replicas: must be at least 0, got -1");
    assertThat(condition(r.status(), Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition(r.status(), Conditions.MONITORING_READY).getReason())
        .isEqualTo(Reason.SERVICE_MONITOR_CRD_MISSING);
    assertThat(r.status().getDesiredReplicas()).isEqualTo(3);
    assertThat(r.conditions().changedToOrWithin(Conditions.DEGRADED, true)).isTrue();
  }

  @Test
  void aRolloutInFlightIsProgressingUntilTheControllerObservesIt() {
    Deployment d = deployment(2, 2, 2).orElseThrow();
    d.getMetadata().setGeneration(2L); // spec changed, controller has not caught up yet
    LLMDeploymentStatus s =
        at(T0).aggregate(llmd(), 2, Optional.of(d), List.of(), NO_PROGRESS).status();
    assertThat(condition(s, Conditions.PROGRESSING).getStatus()).isEqualTo("True");
    assertThat(condition(s, Conditions.PROGRESSING).getReason()).isEqualTo(Reason.ROLLING_OUT);
  }

  @Test
  void theProbeBodyIsReadFlexibly() {
    assertThat(HttpModelLoadProgress.parse("{\"status\":\"UP\",\"progress\":0.45}")).hasValue(0.45);
    assertThat(
            HttpModelLoadProgress.parse(
                "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"model\",\"data\":{\"loadProgressRatio\":0.3}}]}"))
        .hasValue(0.3);
    assertThat(HttpModelLoadProgress.parse("{\"progress\":45}")).hasValue(0.45);
    assertThat(HttpModelLoadProgress.parse("not json")).isEmpty();
    assertThat(HttpModelLoadProgress.parse("{\"status\":\"UP\"}")).isEmpty();
  }

  @Test
  void zeroReplicasChosenByTheAutoscalerIsReadyScaledToZero() {
    LLMDeployment l = llmd();
    l.getSpec().setReplicas(null);
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMinReplicas(0);
    autoscaling.setMaxReplicas(2);
    l.getSpec().setAutoscaling(autoscaling);
    LLMDeploymentStatus s =
        at(T0).aggregate(l, 0, deployment(0, 0, 0), List.of(), NO_PROGRESS).status();
    Condition ready = condition(s, Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo(Reason.SCALED_TO_ZERO);
    assertThat(ready.getMessage()).isEqualTo("0/0 replicas ready (scaled to zero)");
    assertThat(s.getReady()).isEqualTo("0/0");
  }

  @Test
  void zeroReplicasFromSpecReplicasIsPlainlyReady() {
    LLMDeployment l = llmd();
    l.getSpec().setReplicas(0);
    LLMDeploymentStatus s =
        at(T0).aggregate(l, 0, deployment(0, 0, 0), List.of(), NO_PROGRESS).status();
    assertThat(condition(s, Conditions.READY).getReason()).isEqualTo(Reason.ALL_REPLICAS_READY);
  }
}
