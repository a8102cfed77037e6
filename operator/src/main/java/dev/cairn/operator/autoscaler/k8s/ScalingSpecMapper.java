package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.operator.autoscaler.ScalingSpec;

/** Maps the CRD's {@code spec.autoscaling} to the Kubernetes-free {@link ScalingSpec}. */
public final class ScalingSpecMapper {
  private ScalingSpecMapper() {}

  /**
   * The policy's input with the CRD defaults filled in where a field is unset (a resource created
   * before a field existed, or through a client that skipped defaulting).
   *
   * @throws IllegalArgumentException naming the {@code autoscaling.*} field that is out of range
   */
  public static ScalingSpec from(AutoscalingSpec a) {
    ScalingSpec d = ScalingSpec.defaults(a.effectiveMinReplicas(), a.effectiveMaxReplicas());
    return new ScalingSpec(
        a.effectiveMinReplicas(),
        a.effectiveMaxReplicas(),
        a.effectiveInitialReplicas(),
        or(a.getTargetOngoingRequests(), d.targetOngoingRequests()),
        or(a.getUpscaleDelaySeconds(), d.upscaleDelaySeconds()),
        or(a.getDownscaleDelaySeconds(), d.downscaleDelaySeconds()),
        or(a.getUpscalingFactor(), d.upscalingFactor()),
        or(a.getDownscalingFactor(), d.downscalingFactor()),
        or(a.getLookBackPeriodSeconds(), d.lookBackPeriodSeconds()),
        or(a.getMetricsIntervalSeconds(), d.metricsIntervalSeconds()));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
