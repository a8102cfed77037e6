package dev.cairn.operator.usage;

import dev.cairn.api.v1alpha1.AcceleratorSpec;
import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.EngineSpec;
import dev.cairn.api.v1alpha1.KvCacheDtype;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Turns the LLMDeployments and what their workers last said into a {@link UsageReport}, with no API
 * calls. Only counts, switches and vocabulary words (architecture, dtype, accelerator type) are
 * copied: names, namespaces, model ids and sources, adapters and secrets never reach the report.
 */
public final class UsageReportBuilder {
  private final String cairnVersion;
  private final Random shuffle;

  /**
   * @param cairnVersion the operator's version
   * @param shuffle orders the entries, so their position cannot tie an entry to a resource
   */
  public UsageReportBuilder(String cairnVersion, Random shuffle) {
    this.cairnVersion = cairnVersion;
    this.shuffle = shuffle;
  }

  /** The report for {@code deployments} as of {@code now}. */
  public UsageReport build(
      String clusterId,
      String kubernetesVersion,
      Instant now,
      List<LLMDeployment> deployments,
      KnownFacts facts) {
    List<UsageReport.DeploymentUsage> entries = new ArrayList<>(deployments.size());
    for (LLMDeployment llmd : deployments) {
      entries.add(entry(llmd.getSpec(), facts.of(llmd.getMetadata().getUid())));
    }
    Collections.shuffle(entries, shuffle);
    return new UsageReport(
        UsageReport.SCHEMA_VERSION,
        clusterId,
        cairnVersion,
        kubernetesVersion,
        now.truncatedTo(ChronoUnit.SECONDS).toString(),
        deployments.size(),
        List.copyOf(entries));
  }

  static UsageReport.DeploymentUsage entry(LLMDeploymentSpec spec, KnownFacts.Entry known) {
    AcceleratorSpec accelerator = spec.getAccelerator();
    int gpus = accelerator == null || accelerator.isCpu() ? 0 : count(accelerator);
    AutoscalingSpec autoscaling = spec.getAutoscaling();
    return new UsageReport.DeploymentUsage(
        known.architecture(),
        known.dtype(),
        known.quantization(),
        known.backend(),
        kvCacheDtype(spec.getEngine()),
        accelerator == null ? null : accelerator.getType(),
        gpus,
        // Cairn splits a replica's layers across its GPUs (pipeline style); one device on CPU.
        Math.max(gpus, 1),
        autoscaling(autoscaling),
        autoscaling == null ? replicas(spec) : null,
        spec.engineMetricsEnabled(),
        lora(spec.getLora()),
        known.jsonModeUsed());
  }

  /**
   * The pool's element type as the worker takes it, spelled as in the spec: {@code float32} where
   * the spec is silent.
   */
  private static String kvCacheDtype(EngineSpec engine) {
    KvCacheDtype dtype = engine == null ? null : engine.getKvCacheDtype();
    return (dtype == null ? KvCacheDtype.FLOAT32 : dtype).name().toLowerCase(Locale.ROOT);
  }

  private static int count(AcceleratorSpec accelerator) {
    return accelerator.getCount() == null ? 1 : accelerator.getCount();
  }

  private static Integer replicas(LLMDeploymentSpec spec) {
    return spec.getReplicas() == null ? 1 : spec.getReplicas();
  }

  private static UsageReport.Autoscaling autoscaling(AutoscalingSpec a) {
    if (a == null) {
      return new UsageReport.Autoscaling(false, null, null, null);
    }
    return new UsageReport.Autoscaling(
        true, a.effectiveMinReplicas(), a.effectiveMaxReplicas(), a.effectiveInitialReplicas());
  }

  private static UsageReport.Lora lora(LoraSpec lora) {
    return lora == null
        ? new UsageReport.Lora(false, 0)
        : new UsageReport.Lora(true, lora.declared().size());
  }
}
