package dev.cairn.operator.usage;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What the operator records about the features a cluster uses ({@code report.json} of the {@code
 * cairn-usage-stats} ConfigMap, and the body it sends). The README's "Usage statistics" section is
 * its documentation; the fields are a contract: nothing here may name a resource, a model or a
 * person.
 *
 * @param schemaVersion bumped on any incompatible change of this shape
 * @param clusterId a random UUID made once per cluster, identifying nothing else
 * @param collectedAt RFC 3339
 * @param llmDeployments how many LLMDeployments exist
 * @param deployments one entry per LLMDeployment, in random order, without a key
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
  "schemaVersion",
  "clusterId",
  "cairnVersion",
  "kubernetesVersion",
  "collectedAt",
  "llmDeployments",
  "deployments"
})
public record UsageReport(
    int schemaVersion,
    String clusterId,
    String cairnVersion,
    String kubernetesVersion,
    String collectedAt,
    int llmDeployments,
    List<DeploymentUsage> deployments) {

  /** The version of this shape. */
  public static final int SCHEMA_VERSION = 1;

  /**
   * The features one LLMDeployment uses. The worker-only facts (architecture, dtype, quantization,
   * backend) are null until a ready worker has been read once.
   *
   * @param gpusPerReplica spec.accelerator.count (0 on CPU)
   * @param tensorParallelSize how many GPUs one replica's layers are split across
   * @param kvCacheDtype spec.engine.kvCacheDtype, {@code float32} where unset (the worker's
   *     default)
   * @param fixedReplicas spec.replicas without autoscaling, else null
   * @param jsonModeUsed true once any structured-output request was counted since creation
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({
    "modelArchitecture",
    "dtype",
    "quantization",
    "backend",
    "kvCacheDtype",
    "acceleratorType",
    "gpusPerReplica",
    "tensorParallelSize",
    "autoscaling",
    "fixedReplicas",
    "logEngineMetrics",
    "lora",
    "jsonModeUsed"
  })
  public record DeploymentUsage(
      String modelArchitecture,
      String dtype,
      String quantization,
      String backend,
      String kvCacheDtype,
      String acceleratorType,
      int gpusPerReplica,
      int tensorParallelSize,
      Autoscaling autoscaling,
      Integer fixedReplicas,
      boolean logEngineMetrics,
      Lora lora,
      boolean jsonModeUsed) {}

  /** spec.autoscaling's bounds; all null but {@code enabled} without autoscaling. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"enabled", "minReplicas", "maxReplicas", "initialReplicas"})
  public record Autoscaling(
      boolean enabled, Integer minReplicas, Integer maxReplicas, Integer initialReplicas) {}

  /** Whether spec.lora is set, and how many adapters the workers load when they start. */
  @JsonPropertyOrder({"used", "adaptersAtStart"})
  public record Lora(boolean used, int adaptersAtStart) {}
}
