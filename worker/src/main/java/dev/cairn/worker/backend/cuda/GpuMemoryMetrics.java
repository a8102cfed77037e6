package dev.cairn.worker.backend.cuda;

import dev.cairn.api.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Exports {@code cairn_gpu_memory_used_bytes} and {@code cairn_gpu_memory_total_bytes} labelled
 * {@code device} (the driver's ordinal) for each GPU the worker uses; the server binds it to its
 * registry when the cuda backend runs. Values are read from the driver at scrape time.
 */
public final class GpuMemoryMetrics implements MeterBinder {

  private final Map<Integer, Supplier<CudaContext.MemoryInfo>> devices;

  /** Metrics over the contexts (GPUs) in use, e.g. {@link CudaBackend#contexts()}. */
  public GpuMemoryMetrics(List<CudaContext> contexts) {
    this(sources(contexts));
  }

  GpuMemoryMetrics(Map<Integer, Supplier<CudaContext.MemoryInfo>> devices) {
    this.devices = Map.copyOf(devices);
  }

  private static Map<Integer, Supplier<CudaContext.MemoryInfo>> sources(
      List<CudaContext> contexts) {
    Map<Integer, Supplier<CudaContext.MemoryInfo>> m = new LinkedHashMap<>();
    for (CudaContext c : contexts) {
      m.putIfAbsent(c.ordinal(), c::memoryInfo);
    }
    return m;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    devices.forEach(
        (ordinal, info) -> {
          String device = Integer.toString(ordinal);
          // Strong references: nothing else holds the suppliers, and a weakly held gauge state is
          // collected at the next GC, after which the gauge reads NaN (seen on an H200).
          Gauge.builder(MetricNames.GPU_MEMORY_USED, info, s -> read(s, true))
              .strongReference(true)
              .description("Device memory in use on the GPU, by every process")
              .tag("device", device)
              .register(registry);
          Gauge.builder(MetricNames.GPU_MEMORY_TOTAL, info, s -> read(s, false))
              .strongReference(true)
              .description("Total device memory of the GPU")
              .tag("device", device)
              .register(registry);
        });
  }

  // A scrape must never fail because a context went away: NaN drops the sample.
  private static double read(Supplier<CudaContext.MemoryInfo> info, boolean used) {
    try {
      CudaContext.MemoryInfo m = info.get();
      return used ? m.used() : m.total();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }
}
