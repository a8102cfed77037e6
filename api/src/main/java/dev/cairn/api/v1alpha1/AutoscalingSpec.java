package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Load-based autoscaling, Ray Serve's autoscaling_config in camelCase. */
@JsonClassDescription(
    "Load-based autoscaling (Ray Serve's autoscaling_config); when present, Cairn owns the replica"
        + " count.")
@ValidationRule(
    value = "!has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
    message = "autoscaling.minReplicas must not exceed autoscaling.maxReplicas")
@ValidationRule(
    value =
        "!has(self.initialReplicas) || (self.initialReplicas >= self.minReplicas &&"
            + " self.initialReplicas <= (has(self.maxReplicas) ? self.maxReplicas :"
            + " (self.minReplicas > 0 ? self.minReplicas : 1)))",
    message = "autoscaling.initialReplicas must lie within [minReplicas, maxReplicas]")
@ValidationRule(
    value = "self.targetOngoingRequests > 0.0",
    message = "autoscaling.targetOngoingRequests must be greater than 0")
@ValidationRule(
    value = "self.upscalingFactor > 0.0 && self.downscalingFactor > 0.0",
    message = "autoscaling.upscalingFactor and downscalingFactor must be greater than 0")
@ValidationRule(
    value = "!has(self.targetWaitingRequests) || self.targetWaitingRequests > 0.0",
    message = "autoscaling.targetWaitingRequests must be greater than 0")
@ValidationRule(
    value =
        "!has(self.targetKvCacheUsage) || (self.targetKvCacheUsage > 0.0 &&"
            + " self.targetKvCacheUsage <= 1.0)",
    message = "autoscaling.targetKvCacheUsage must lie in (0, 1]")
@ValidationRule(
    value = "!has(self.targetTokensPerSecond) || self.targetTokensPerSecond > 0.0",
    message = "autoscaling.targetTokensPerSecond must be greater than 0")
public class AutoscalingSpec {
  /** Why an engine-metric signal is refused while engine metrics are off. */
  public static final String ENGINE_SIGNAL_NEEDS_METRICS =
      "autoscaling.targetWaitingRequests and autoscaling.targetKvCacheUsage read engine metrics:"
          + " they need logEngineMetrics true (targetOngoingRequests and targetTokensPerSecond"
          + " read service metrics and work either way)";

  @Min(0)
  @Default("1")
  @JsonPropertyDescription(
      "Fewest replicas (Ray: min_replicas); 0 scales to zero when idle, the activator holding"
          + " requests while a replica starts.")
  private Integer minReplicas = 1;

  @Min(1)
  @JsonPropertyDescription(
      "Most replicas (Ray: max_replicas); defaults to minReplicas, or 1 when minReplicas is 0.")
  private Integer maxReplicas;

  @Min(0)
  @JsonPropertyDescription("Replicas at creation (Ray: initial_replicas); defaults to minReplicas.")
  private Integer initialReplicas;

  @Default("2.0")
  @JsonPropertyDescription(
      "Ongoing requests per replica the autoscaler aims for (Ray: target_ongoing_requests).")
  private Double targetOngoingRequests = 2.0;

  @Min(0)
  @Default("30")
  @JsonPropertyDescription(
      "Seconds a scale-up decision must hold before it applies (Ray: upscale_delay_s).")
  private Integer upscaleDelaySeconds = 30;

  @Min(0)
  @Default("600")
  @JsonPropertyDescription(
      "Seconds a scale-down decision must hold before it applies (Ray: downscale_delay_s).")
  private Integer downscaleDelaySeconds = 600;

  @Default("1.0")
  @JsonPropertyDescription(
      "Multiplies each scale-up step; below 1 is more conservative (Ray: upscaling_factor).")
  private Double upscalingFactor = 1.0;

  @Default("1.0")
  @JsonPropertyDescription(
      "Multiplies each scale-down step; below 1 is more conservative (Ray: downscaling_factor).")
  private Double downscalingFactor = 1.0;

  @Min(1)
  @Default("30")
  @JsonPropertyDescription(
      "Seconds over which each replica's ongoing requests are averaged (Ray: look_back_period_s).")
  private Integer lookBackPeriodSeconds = 30;

  @Min(1)
  @Default("10")
  @JsonPropertyDescription(
      "Seconds between reads of the replicas' load metrics (Ray: metrics_interval_s).")
  private Integer metricsIntervalSeconds = 10;

  @JsonPropertyDescription(
      "How the activator holds requests while a deployment scaled to zero starts a replica.")
  private ScaleFromZeroSpec scaleFromZero;

  /**
   * maxReplicas, or minReplicas when unset (Ray's default max is 1); at least 1 by default, since a
   * deployment that may only run zero replicas could never answer a held request.
   */
  public int effectiveMaxReplicas() {
    return maxReplicas != null ? maxReplicas : Math.max(1, effectiveMinReplicas());
  }

  /** True when the deployment may scale to zero, so its traffic needs the activator. */
  public boolean scalesToZero() {
    return effectiveMinReplicas() == 0;
  }

  /** scaleFromZero, or its defaults when unset. */
  public ScaleFromZeroSpec effectiveScaleFromZero() {
    return scaleFromZero != null ? scaleFromZero : new ScaleFromZeroSpec();
  }

  public ScaleFromZeroSpec getScaleFromZero() {
    return scaleFromZero;
  }

  public void setScaleFromZero(ScaleFromZeroSpec scaleFromZero) {
    this.scaleFromZero = scaleFromZero;
  }

  public int effectiveMinReplicas() {
    return minReplicas != null ? minReplicas : 1;
  }

  /** initialReplicas, or minReplicas when unset. */
  public int effectiveInitialReplicas() {
    return initialReplicas != null ? initialReplicas : effectiveMinReplicas();
  }

  public Integer getMinReplicas() {
    return minReplicas;
  }

  public void setMinReplicas(Integer minReplicas) {
    this.minReplicas = minReplicas;
  }

  public Integer getMaxReplicas() {
    return maxReplicas;
  }

  public void setMaxReplicas(Integer maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  public Integer getInitialReplicas() {
    return initialReplicas;
  }

  public void setInitialReplicas(Integer initialReplicas) {
    this.initialReplicas = initialReplicas;
  }

  public Double getTargetOngoingRequests() {
    return targetOngoingRequests;
  }

  public void setTargetOngoingRequests(Double targetOngoingRequests) {
    this.targetOngoingRequests = targetOngoingRequests;
  }

  public Integer getUpscaleDelaySeconds() {
    return upscaleDelaySeconds;
  }

  public void setUpscaleDelaySeconds(Integer upscaleDelaySeconds) {
    this.upscaleDelaySeconds = upscaleDelaySeconds;
  }

  public Integer getDownscaleDelaySeconds() {
    return downscaleDelaySeconds;
  }

  public void setDownscaleDelaySeconds(Integer downscaleDelaySeconds) {
    this.downscaleDelaySeconds = downscaleDelaySeconds;
  }

  public Double getUpscalingFactor() {
    return upscalingFactor;
  }

  public void setUpscalingFactor(Double upscalingFactor) {
    this.upscalingFactor = upscalingFactor;
  }

  public Double getDownscalingFactor() {
    return downscalingFactor;
  }

  public void setDownscalingFactor(Double downscalingFactor) {
    this.downscalingFactor = downscalingFactor;
  }

  public Integer getLookBackPeriodSeconds() {
    return lookBackPeriodSeconds;
  }

  public void setLookBackPeriodSeconds(Integer lookBackPeriodSeconds) {
    this.lookBackPeriodSeconds = lookBackPeriodSeconds;
  }

  @JsonPropertyDescription(
      "Engine queue per replica to aim for (vllm:num_requests_waiting); needs logEngineMetrics."
          + " The replica count meets every configured target.")
  private Double targetWaitingRequests;

  @JsonPropertyDescription(
      "KV cache usage per replica to aim for, in (0, 1] (vllm:kv_cache_usage_perc); needs"
          + " logEngineMetrics.")
  private Double targetKvCacheUsage;

  @JsonPropertyDescription(
      "Generated tokens per second per replica to aim for (the rate of"
          + " cairn_generation_tokens_total, so it works with engine metrics off).")
  private Double targetTokensPerSecond;

  /** True when a target that reads engine metrics is set. */
  public boolean usesEngineSignals() {
    return targetWaitingRequests != null || targetKvCacheUsage != null;
  }

  public Double getTargetWaitingRequests() {
    return targetWaitingRequests;
  }

  public void setTargetWaitingRequests(Double targetWaitingRequests) {
    this.targetWaitingRequests = targetWaitingRequests;
  }

  public Double getTargetKvCacheUsage() {
    return targetKvCacheUsage;
  }

  public void setTargetKvCacheUsage(Double targetKvCacheUsage) {
    this.targetKvCacheUsage = targetKvCacheUsage;
  }

  public Double getTargetTokensPerSecond() {
    return targetTokensPerSecond;
  }

  public void setTargetTokensPerSecond(Double targetTokensPerSecond) {
    this.targetTokensPerSecond = targetTokensPerSecond;
  }

  public Integer getMetricsIntervalSeconds() {
    return metricsIntervalSeconds;
  }

  public void setMetricsIntervalSeconds(Integer metricsIntervalSeconds) {
    this.metricsIntervalSeconds = metricsIntervalSeconds;
  }
}
