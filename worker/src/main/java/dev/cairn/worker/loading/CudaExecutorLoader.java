package dev.cairn.worker.loading;

import dev.cairn.worker.backend.cuda.CudaBackend;
import dev.cairn.worker.backend.cuda.CudaExecutorFactory;
import dev.cairn.worker.backend.cuda.GpuMemoryMetrics;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.model.ModelConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Weights uploaded once to the pod's GPUs (layers split across {@code accelerator.count} of them),
 * the KV pool on the device, the project's own kernels from build-time PTX.
 */
final class CudaExecutorLoader implements ExecutorLoader {

  private final List<Integer> ordinals;
  private final double memoryFraction;
  private volatile CudaBackend backend;

  /**
   * The first {@code gpus} devices the pod sees (the device plugin numbers them from 0).
   *
   * @param memoryFraction share of free device memory for weights and KV pool when no explicit
   *     kvCacheMemory is given
   */
  CudaExecutorLoader(int gpus, double memoryFraction) {
    this.ordinals = IntStream.range(0, Math.max(1, gpus)).boxed().toList();
    this.memoryFraction = memoryFraction;
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public TransformerExecutor load(
      Path dir, ModelConfig config, String dtype, long kvCacheBytes, int maxModelLen) {
    TransformerExecutor executor =
        CudaExecutorFactory.load(dir, ordinals, dtype, kvCacheBytes, memoryFraction);
    backend = (CudaBackend) executor.backend();
    return executor;
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {
    CudaBackend b = backend;
    if (b != null) {
      new GpuMemoryMetrics(b.contexts()).bindTo(registry);
    }
  }
}
