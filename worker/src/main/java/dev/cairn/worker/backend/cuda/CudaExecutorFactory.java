package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.executor.ExecutorFactory;
import dev.cairn.worker.executor.PagedKvCache;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelFamily;
import dev.cairn.worker.model.ModelWeights;
import dev.cairn.worker.model.safetensors.SafetensorsWeights;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Loads a model onto one GPU with a KV pool sized to the device: {@code kvCacheMemory} bytes when
 * given, otherwise 90% of the free memory minus the weights and a workspace reserve. A model whose
 * weights plus one max-length sequence of KV cache do not fit is refused with the sizes named.
 */
public final class CudaExecutorFactory {

  /** Share of the free device memory the weights and KV pool may take when no budget is given. */
  public static final double MEMORY_FRACTION = 0.9;

  /** Room kept for activations, logits and the per-step buffers. */
  static final long WORKSPACE_RESERVE = 256L << 20;

  private CudaExecutorFactory() {}

  /**
   * Loads {@code dir} onto GPU {@code ordinal}.
   *
   * @param dtype "auto" keeps BF16/F16 weights and narrows F32 matrices to BF16 on the device;
   *     "float32", "bfloat16", "float16" convert every weight to that type
   * @param kvCacheMemory KV pool bytes, or 0 to size it from the free memory
   */
  public static TransformerExecutor load(Path dir, int ordinal, String dtype, long kvCacheMemory) {
    return load(dir, List.of(ordinal), dtype, kvCacheMemory);
  }

  /**
   * Loads {@code dir} with its layers split across the GPUs {@code ordinals} (consecutive layers on
   * one GPU, an even share of the weight bytes each); the KV budget counts every GPU's free memory.
   */
  public static TransformerExecutor load(
      Path dir, List<Integer> ordinals, String dtype, long kvCacheMemory) {
    return load(dir, ordinals, dtype, kvCacheMemory, MEMORY_FRACTION);
  }

  /**
   * As {@link #load(Path, List, String, long)}, with the share of free device memory that weights
   * and KV pool may take (spec.engine.gpuMemoryUtilization, vLLM's gpu_memory_utilization).
   */
  public static TransformerExecutor load(
      Path dir, List<Integer> ordinals, String dtype, long kvCacheMemory, double memoryFraction) {
    ModelConfig config = ModelConfig.load(dir);
    boolean narrow = "auto".equalsIgnoreCase(dtype);
    DType forced = narrow ? null : DType.fromUserName(dtype);
    long weightBytes = deviceWeightBytes(dir, config, narrow, forced);
    CudaBackend backend = new CudaBackend(ordinals, narrow, ordinals.size() > 1 ? weightBytes : 0);
    try {
      long free = 0;
      long total = 0;
      for (CudaContext c : backend.contexts()) {
        CudaContext.MemoryInfo m = c.memoryInfo();
        free += m.free();
        total += m.total();
      }
      String gpus =
          (ordinals.size() == 1 ? "GPU " : "GPUs ")
              + ordinals.stream()
                  .map(String::valueOf)
                  .collect(java.util.stream.Collectors.joining(","));
      int blocks =
          kvBlocks(
              config,
              weightBytes,
              kvCacheMemory,
              new CudaContext.MemoryInfo(free, total),
              gpus,
              memoryFraction);
      return ExecutorFactory.load(dir, backend, dtype, blocks);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * KV blocks for the budget, or a {@link CudaFailure} naming the sizes when the model won't fit.
   */
  static int kvBlocks(
      ModelConfig config,
      long weightBytes,
      long kvCacheMemory,
      CudaContext.MemoryInfo mem,
      String gpus) {
    return kvBlocks(config, weightBytes, kvCacheMemory, mem, gpus, MEMORY_FRACTION);
  }

  static int kvBlocks(
      ModelConfig config,
      long weightBytes,
      long kvCacheMemory,
      CudaContext.MemoryInfo mem,
      String gpus,
      double fraction) {
    long usable = (long) (fraction * mem.free());
    long budget = kvCacheMemory > 0 ? kvCacheMemory : usable - weightBytes - WORKSPACE_RESERVE;
    long minBlocks = (config.maxModelLen() + PagedKvCache.BLOCK_SIZE - 1) / PagedKvCache.BLOCK_SIZE;
    long minKv = minBlocks * PagedKvCache.bytesPerBlock(config);
    if (weightBytes + Math.max(budget, minKv) + WORKSPACE_RESERVE > usable
        || PagedKvCache.blocksForBudget(config, Math.max(0, budget)) < minBlocks) {
      throw new CudaFailure(
          String.format(
              "the model does not fit on %s: weights %.2f GiB + KV cache %.2f GiB (at least"
                  + " %.2f GiB for one %d-token sequence) + %.2f GiB workspace > %.0f%% of"
                  + " %.2f GiB free",
              gpus,
              gib(weightBytes),
              gib(Math.max(budget, 0)),
              gib(minKv),
              config.maxModelLen(),
              gib(WORKSPACE_RESERVE),
              fraction * 100,
              gib(mem.free())));
    }
    return PagedKvCache.blocksForBudget(config, budget);
  }

  /** Bytes the weights will take on the device, tied tensors counted once. */
  static long deviceWeightBytes(Path dir, ModelConfig config, boolean narrow, DType forced) {
    try (SafetensorsWeights files = SafetensorsWeights.open(dir)) {
      ModelWeights<HostTensor> w =
          ModelFamily.forArchitecture(config.architecture()).bind(files, config);
      Set<HostTensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      long[] total = {0};
      w.map(
          t -> {
            if (seen.add(t)) {
              DType type = WeightUploader.deviceType(t, narrow);
              if (forced != null && t.shape().length > 1) {
                type = forced;
              }
              total[0] += t.numel() * type.bytes();
            }
            return t;
          });
      return total[0];
    }
  }

  private static double gib(long bytes) {
    return bytes / (double) (1L << 30);
  }
}
