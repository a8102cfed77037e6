package dev.cairn.worker.loading;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.cuda.CudaBackend;
import dev.cairn.worker.backend.cuda.CudaContext;
import dev.cairn.worker.backend.cuda.GpuMemoryMetrics;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.model.ModelWeights;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Weights uploaded once to the pod's GPUs (consecutive layers on one GPU, an even share of the
 * weight bytes each), the KV pool on the devices sized by {@link KvPoolSize#device}, the project's
 * own kernels from build-time PTX. Weights that kept their stored dtype ("auto") have their F32
 * matrices narrowed to BF16 on the device.
 */
public final class CudaPlacement implements BackendPlacement {

  /** Share of the free device memory the weights and KV pool may take when no budget is given. */
  public static final double DEFAULT_MEMORY_FRACTION = 0.9;

  private final List<Integer> ordinals;
  private final double memoryFraction;
  private volatile CudaBackend backend;

  /**
   * The first {@code gpus} devices the pod sees (the device plugin numbers them from 0).
   *
   * @param memoryFraction share of free device memory for weights and KV pool when no explicit
   *     kvCacheMemory is given (spec.engine.gpuMemoryUtilization, vLLM's gpu_memory_utilization)
   */
  public CudaPlacement(int gpus, double memoryFraction) {
    this(IntStream.range(0, Math.max(1, gpus)).boxed().toList(), memoryFraction);
  }

  /** The GPUs {@code ordinals}, in layer order. */
  public CudaPlacement(List<Integer> ordinals, double memoryFraction) {
    this.ordinals = List.copyOf(ordinals);
    this.memoryFraction = memoryFraction;
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public TransformerExecutor place(
      HostWeights weights, long kvCacheBytes, int maxModelLen, DType kvDtype) {
    boolean narrow = weights.convertedTo() == null;
    long weightBytes = deviceWeightBytes(weights.tensors(), narrow);
    CudaBackend b = new CudaBackend(ordinals, narrow, ordinals.size() > 1 ? weightBytes : 0);
    try {
      long free = 0;
      for (CudaContext c : b.contexts()) {
        free += c.memoryInfo().free();
      }
      int blocks =
          KvPoolSize.device(
              weights.config(),
              kvDtype,
              maxModelLen,
              weightBytes,
              kvCacheBytes,
              free,
              gpuNames(),
              memoryFraction);
      TransformerExecutor executor = weights.executorOn(b, blocks, kvDtype);
      backend = b;
      return executor;
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {
    CudaBackend b = backend;
    if (b != null) {
      new GpuMemoryMetrics(b.contexts()).bindTo(registry);
    }
  }

  /** Bytes the weights will take on the device, tied tensors counted once. */
  static long deviceWeightBytes(ModelWeights<HostTensor> weights, boolean narrow) {
    Set<HostTensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    long[] total = {0};
    weights.map(
        t -> {
          if (seen.add(t)) {
            DType type = CudaBackend.deviceType(t, narrow);
            total[0] += type.byteSize(t.numel());
          }
          return t;
        });
    return total[0];
  }

  private String gpuNames() {
    return (ordinals.size() == 1 ? "GPU " : "GPUs ")
        + ordinals.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
