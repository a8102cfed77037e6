package dev.cairn.operator.autoscaler;

/**
 * The autoscaler's input: Ray Serve's {@code autoscaling_config} in camelCase, already defaulted.
 *
 * <p>The operator maps {@code spec.autoscaling} of an LLMDeployment into this record; keeping it
 * separate leaves the autoscaler free of Kubernetes and CRD types.
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
    int metricsIntervalSeconds) {

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
  }

  /** Ray Serve's defaults with the given bounds (initialReplicas = minReplicas). */
  public static ScalingSpec defaults(int minReplicas, int maxReplicas) {
    return new ScalingSpec(minReplicas, maxReplicas, minReplicas, 2.0, 30, 600, 1.0, 1.0, 30, 10);
  }

  private static void require(boolean ok, String field, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("autoscaling." + field + " " + rule + ", got " + value);
    }
  }
}
