package dev.cairn.operator.autoscaler;

import java.util.EnumMap;
import java.util.Map;

/**
 * The autoscaler's input: Ray Serve's {@code autoscaling_config} in camelCase, already defaulted.
 *
 * <p>The operator maps {@code spec.autoscaling} of an LLMDeployment into this record; keeping it
 * separate leaves the autoscaler free of Kubernetes and CRD types. {@code signalTargets} holds the
 * per-replica targets of the signals configured besides ongoing requests.
 */
public record ScalingSpec(
    int minReplicas,
    int maxReplicas,
    int initialReplicas,
    double targetOngoingRequests,
    int upscaleDelaySeconds,
    int downscaleDelaySeconds,
    double upscalingFactor,
    double downscalingFactor,
    int lookBackPeriodSeconds,
    int metricsIntervalSeconds,
    Map<Signal, Double> signalTargets) {

  /** Every configured signal with its per-replica target, ongoing requests first. */
  public Map<Signal, Double> targets() {
    Map<Signal, Double> all = new EnumMap<>(Signal.class);
    all.put(Signal.ONGOING_REQUESTS, targetOngoingRequests);
    all.putAll(signalTargets);
    return all;
  }

  /** The same spec with these targets for the signals besides ongoing requests. */
  public ScalingSpec withSignalTargets(Map<Signal, Double> targets) {
    return new ScalingSpec(
        minReplicas,
        maxReplicas,
        initialReplicas,
        targetOngoingRequests,
        upscaleDelaySeconds,
        downscaleDelaySeconds,
        upscalingFactor,
        downscalingFactor,
        lookBackPeriodSeconds,
        metricsIntervalSeconds,
        targets);
  }

  /** [minReplicas, maxReplicas]. */
  public ReplicaBounds bounds() {
    return new ReplicaBounds(minReplicas, maxReplicas);
  }

  /** Rejects values the policy cannot work with, naming the offending field. */
  public ScalingSpec {
    require(minReplicas >= 0, "minReplicas", minReplicas, "must be >= 0");
    require(maxReplicas >= 1, "maxReplicas", maxReplicas, "must be >= 1");
    require(maxReplicas >= minReplicas, "maxReplicas", maxReplicas, "must be >= minReplicas");
    require(
        initialReplicas >= minReplicas && initialReplicas <= maxReplicas,
        "initialReplicas",
        initialReplicas,
        "must lie within [minReplicas, maxReplicas]");
    require(
        Double.isFinite(targetOngoingRequests) && targetOngoingRequests > 0,
        "targetOngoingRequests",
        targetOngoingRequests,
        "must be > 0");
    require(upscaleDelaySeconds >= 0, "upscaleDelaySeconds", upscaleDelaySeconds, "must be >= 0");
    require(
        downscaleDelaySeconds >= 0, "downscaleDelaySeconds", downscaleDelaySeconds, "must be >= 0");
    require(
        Double.isFinite(upscalingFactor) && upscalingFactor > 0,
        "upscalingFactor",
        upscalingFactor,
        "must be > 0");
    require(
        Double.isFinite(downscalingFactor) && downscalingFactor > 0,
        "downscalingFactor",
        downscalingFactor,
        "must be > 0");
    require(
        lookBackPeriodSeconds >= 1, "lookBackPeriodSeconds", lookBackPeriodSeconds, "must be >= 1");
    require(
        metricsIntervalSeconds >= 1,
        "metricsIntervalSeconds",
        metricsIntervalSeconds,
        "must be >= 1");
    signalTargets = Map.copyOf(signalTargets);
    for (Map.Entry<Signal, Double> t : signalTargets.entrySet()) {
      requireTarget(t.getKey(), t.getValue());
    }
  }

  private static void requireTarget(Signal signal, double target) {
    String field = targetField(signal);
    require(signal != Signal.ONGOING_REQUESTS, field, target, "is set apart");
    require(Double.isFinite(target) && target > 0, field, target, "must be > 0");
    if (signal == Signal.KV_CACHE_USAGE) {
      require(target <= 1, field, target, "must be <= 1 (a fraction of the KV pool)");
    }
  }

  /** The spec field that sets a signal's target, e.g. "targetKvCacheUsage". */
  public static String targetField(Signal signal) {
    return switch (signal) {
      case ONGOING_REQUESTS -> "targetOngoingRequests";
      case WAITING_REQUESTS -> "targetWaitingRequests";
      case KV_CACHE_USAGE -> "targetKvCacheUsage";
      case TOKENS_PER_SECOND -> "targetTokensPerSecond";
    };
  }

  /**
   * Ray Serve's defaults with the given bounds (initialReplicas = minReplicas), ongoing requests as
   * the only signal.
   */
  public static ScalingSpec defaults(int minReplicas, int maxReplicas) {
    return new ScalingSpec(
        minReplicas, maxReplicas, minReplicas, 2.0, 30, 600, 1.0, 1.0, 30, 10, Map.of());
  }

  private static void require(boolean ok, String field, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("autoscaling." + field + " " + rule + ", got " + value);
    }
  }
}
