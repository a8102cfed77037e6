package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class GpuMemoryMetricsTest {

  @Test
  void exportsUsedAndTotalPerDeviceAndNaNWhenTheDriverFails() {
    Supplier<CudaContext.MemoryInfo> gpu0 = () -> new CudaContext.MemoryInfo(30L << 30, 80L << 30);
    Supplier<CudaContext.MemoryInfo> gpu1 =
        () -> {
          throw new CudaFailure("cuMemGetInfo(GPU 1) failed: CUDA_ERROR_DEINITIALIZED (4)");
        };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    new GpuMemoryMetrics(Map.of(0, gpu0, 1, gpu1)).bindTo(registry);

    assertThat(registry.get("cairn_gpu_memory_used_bytes").tag("device", "0").gauge().value())
        .isEqualTo(50.0 * (1L << 30));
    assertThat(registry.get("cairn_gpu_memory_total_bytes").tag("device", "0").gauge().value())
        .isEqualTo(80.0 * (1L << 30));
    assertThat(registry.get("cairn_gpu_memory_used_bytes").tag("device", "1").gauge().value())
        .isNaN();
  }

  /** The worker binds and drops the binder: its gauges must outlive a garbage collection. */
  @Test
  void gaugesKeepTheirSourcesThroughGarbageCollection() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    bindAndForget(registry);
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    assertThat(registry.get("cairn_gpu_memory_total_bytes").tag("device", "0").gauge().value())
        .isEqualTo(80.0 * (1L << 30));
  }

  private static void bindAndForget(SimpleMeterRegistry registry) {
    long total = 80L << 30; // captured: the supplier is an object of its own, as c::memoryInfo is
    Supplier<CudaContext.MemoryInfo> info = () -> new CudaContext.MemoryInfo(30L << 30, total);
    new GpuMemoryMetrics(Map.of(0, info)).bindTo(registry);
  }
}
