package dev.cairn.operator.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.LLMDeploymentStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class StatusDesiredReplicasTest {

  private static LLMDeployment llmd(String extra) {
    return Serialization.unmarshal(
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: x, namespace: demo}
        spec:
          model: {source: "hf://a/b"}
          accelerator: {type: A10G}
        """
            + extra,
        LLMDeployment.class);
  }

  @Test
  void withoutAutoscalingTheSpecDecides() {
    assertThat(StatusDesiredReplicas.compute(llmd("  replicas: 3\n"))).isEqualTo(3);
    assertThat(StatusDesiredReplicas.compute(llmd(""))).isEqualTo(1);
    assertThat(StatusDesiredReplicas.compute(llmd("  replicas: 0\n"))).isZero();
  }

  @Test
  void withAutoscalingStartAtInitialThenKeepTheDecisionWithinBounds() {
    LLMDeployment l = llmd("  autoscaling: {minReplicas: 2, maxReplicas: 5, initialReplicas: 3}\n");
    assertThat(StatusDesiredReplicas.compute(l)).isEqualTo(3);
    l.setStatus(new LLMDeploymentStatus());
    l.getStatus().setDesiredReplicas(4);
    assertThat(StatusDesiredReplicas.compute(l)).isEqualTo(4);
    l.getStatus().setDesiredReplicas(9); // bounds lowered since the decision: clamp
    assertThat(StatusDesiredReplicas.compute(l)).isEqualTo(5);
    l.getStatus().setDesiredReplicas(1);
    assertThat(StatusDesiredReplicas.compute(l)).isEqualTo(2);
  }
}
