package dev.cairn.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The operator's own settings ({@code cairn.*} in application.properties or env). */
@ConfigMapping(prefix = "cairn")
public interface CairnOperatorConfig {

  /**
   * Accelerator type to {@code nvidia.com/gpu.product} node label values, e.g. {@code
   * cairn.accelerators.A10G=NVIDIA-A10G}. {@code cpu} needs no entry.
   */
  Map<String, List<String>> accelerators();

  /** Worker image used when {@code spec.worker.image} is unset (env CAIRN_WORKER_IMAGE). */
  @WithName("worker-image")
  String workerImage();

  /**
   * Seconds a stopping worker gets when {@code spec.worker.terminationGracePeriodSeconds} is unset.
   */
  @WithDefault("60")
  long terminationGracePeriodSeconds();

  /**
   * Seconds the preStop hook waits so that endpoints drop a pod before it receives SIGTERM and
   * starts draining.
   */
  @WithDefault("5")
  int preStopSleepSeconds();

  /** Bound on one GET of a loading pod's {@code /health/started}. */
  @WithDefault("2s")
  Duration progressProbeTimeout();

  /**
   * Namespace the Grafana sidecar watches. When set, dashboard ConfigMaps go there as {@code
   * <namespace>-<name>-dashboard} (removed through a finalizer); unset, beside each resource.
   */
  @WithName("grafana-namespace")
  Optional<String> grafanaNamespace();
}
