package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.operator.autoscaler.ScalingSpec;
import dev.cairn.operator.autoscaler.Signal;
import java.util.EnumMap;
import java.util.Map;

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
    return from(a, true);
  }

  /**
   * As {@link #from(AutoscalingSpec)}, refusing a target that reads engine metrics while they are
   * off: the admission rule says so first, this covers a cluster that skipped it.
   */
  public static ScalingSpec from(AutoscalingSpec a, boolean engineMetrics) {
    if (!engineMetrics && a.usesEngineSignals()) {
      throw new IllegalArgumentException(AutoscalingSpec.ENGINE_SIGNAL_NEEDS_METRICS);
    }
    return base(a).withSignalTargets(signalTargets(a));
  }

  private static Map<Signal, Double> signalTargets(AutoscalingSpec a) {
    Map<Signal, Double> targets = new EnumMap<>(Signal.class);
    putIfSet(targets, Signal.WAITING_REQUESTS, a.getTargetWaitingRequests());
    putIfSet(targets, Signal.KV_CACHE_USAGE, a.getTargetKvCacheUsage());
    putIfSet(targets, Signal.TOKENS_PER_SECOND, a.getTargetTokensPerSecond());
    return targets;
  }

  private static void putIfSet(Map<Signal, Double> targets, Signal signal, Double value) {
    if (value != null) {
      targets.put(signal, value);
    }
  }

  private static ScalingSpec base(AutoscalingSpec a) {
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
