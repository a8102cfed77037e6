package dev.cairn.operator;

import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.LLMDeployment;
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
    Integer kept = llmd.getStatus() == null ? null : llmd.getStatus().getDesiredReplicas();
    int wanted = kept != null ? kept : a.effectiveInitialReplicas();
    return clamp(wanted, a.effectiveMinReplicas(), a.effectiveMaxReplicas());
  }

  static int clamp(int v, int min, int max) {
    return Math.max(min, Math.min(max, v));
  }
}
