package dev.cairn.worker.backend.cuda;

import dev.cairn.api.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;

/**
 * Exports {@code cairn_gpu_memory_used_bytes} and {@code cairn_gpu_memory_total_bytes} labelled
 * {@code device} for each GPU the worker uses; the server binds it to its registry when the cuda
 * backend runs. Values are read from the driver at scrape time.
 */
public final class GpuMemoryMetrics implements MeterBinder {

  private final List<CudaContext> contexts;

  /** Metrics over the contexts (GPUs) in use. */
  public GpuMemoryMetrics(List<CudaContext> contexts) {
    this.contexts = List.copyOf(contexts);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (CudaContext c : contexts) {
      String device = Integer.toString(c.ordinal());
      Gauge.builder(MetricNames.GPU_MEMORY_USED, c, GpuMemoryMetrics::used)
          .description("Device memory in use on the GPU, by every process")
          .tag("device", device)
          .register(registry);
      Gauge.builder(MetricNames.GPU_MEMORY_TOTAL, c, GpuMemoryMetrics::total)
          .description("Total device memory of the GPU")
          .tag("device", device)
          .register(registry);
    }
  }

  // A scrape must never fail because a context went away: NaN drops the sample.
  private static double used(CudaContext c) {
    try {
      return c.memoryInfo().used();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double total(CudaContext c) {
    try {
      return c.memoryInfo().total();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }
}
