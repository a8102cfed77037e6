package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.DeploymentKey;
import dev.cairn.operator.replicas.DesiredReplicas;
import dev.cairn.operator.replicas.StatusDesiredReplicas;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalInt;

/**
 * Replaces the status-only rule: under autoscaling, the decision taken in this process wins over a
 * possibly stale cached {@code status.desiredReplicas}, clamped to the current bounds so a lowered
 * maxReplicas applies at once.
 */
@ApplicationScoped
public class AutoscalerDesiredReplicas implements DesiredReplicas {
  private final LiveDecisions decisions;

  /** Reads decisions from {@code decisions}. */
  @Inject
  public AutoscalerDesiredReplicas(LiveDecisions decisions) {
    this.decisions = decisions;
  }

  @Override
  public int of(LLMDeployment llmd) {
    AutoscalingSpec a = llmd.getSpec().getAutoscaling();
    OptionalInt live = decisions.get(key(llmd));
    if (a == null || live.isEmpty()) {
      return StatusDesiredReplicas.compute(llmd);
    }
    return StatusDesiredReplicas.bounds(a).clamp(live.getAsInt());
  }

  static DeploymentKey key(LLMDeployment llmd) {
    return new DeploymentKey(llmd.getMetadata().getNamespace(), llmd.getMetadata().getName());
  }
}
