package dev.cairn.worker.loading;

import dev.cairn.api.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code cairn_model_info{architecture,dtype,backend,quantization} 1}: what is serving, as labels
 * (the Prometheus info-metric pattern), always on so a dashboard can tell Q4_0 from BF16 replicas.
 */
final class ModelInfoMetric {

  private ModelInfoMetric() {}

  /** Registers the gauge for the model just loaded. */
  static void register(
      MeterRegistry registry,
      String architecture,
      String dtype,
      String backend,
      String quantization) {
    Gauge.builder(MetricNames.MODEL_INFO, () -> 1)
        .description("The served model: architecture, weight dtype, backend and quantization")
        .tag("architecture", architecture)
        .tag("dtype", dtype)
        .tag("backend", backend)
        .tag("quantization", quantization)
        .strongReference(true)
        .register(registry);
  }
}
