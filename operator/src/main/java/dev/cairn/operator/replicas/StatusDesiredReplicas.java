package dev.cairn.operator.replicas;

import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.ReplicaBounds;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The replica count from the resource alone: {@code spec.replicas} without autoscaling; with it,
 * the count last decided ({@code status.desiredReplicas}, which survives operator restarts) or
 * {@code initialReplicas}, always clamped to [minReplicas, maxReplicas]. A {@link DefaultBean}: the
 * autoscaler replaces it by declaring its own {@link DesiredReplicas} bean.
 */
@ApplicationScoped
@DefaultBean
public class StatusDesiredReplicas implements DesiredReplicas {

  @Override
  public int of(LLMDeployment llmd) {
    return compute(llmd);
  }

  /** The rule itself, for callers outside CDI (tests, the autoscaler's fallback). */
  public static int compute(LLMDeployment llmd) {
    AutoscalingSpec a = llmd.getSpec().getAutoscaling();
    if (a == null) {
      Integer r = llmd.getSpec().getReplicas();
      return r == null ? 1 : Math.max(0, r);
    }
    return bounds(a).clamp(lastDecided(llmd));
  }

  /**
   * Under autoscaling, the count last decided or {@code initialReplicas}, before the bounds: the
   * autoscaler compares it with them, so a lowered maxReplicas is a decision of its own.
   */
  public static int lastDecided(LLMDeployment llmd) {
    Integer kept = llmd.getStatus() == null ? null : llmd.getStatus().getDesiredReplicas();
    return kept != null ? kept : llmd.getSpec().getAutoscaling().effectiveInitialReplicas();
  }

  /** The spec's [minReplicas, maxReplicas]. */
  public static ReplicaBounds bounds(AutoscalingSpec a) {
    return new ReplicaBounds(a.effectiveMinReplicas(), a.effectiveMaxReplicas());
  }
}
