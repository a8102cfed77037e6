package dev.cairn.worker.loading;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.executor.PagedKvCache;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelLoadException;

/**
 * How many KV blocks a backend gets: the memory arithmetic alone, so it is tested on synthetic
 * figures. The pool must hold at least one sequence of the served {@code maxModelLen}; a budget
 * that cannot is refused with the sizes named.
 */
final class KvPoolSize {

  /** KV pool in host memory when spec.engine.kvCacheMemory is unset. */
  static final long DEFAULT_HOST_BYTES = 1L << 30;

  /** Device room kept for activations, logits and the per-step buffers. */
  static final long WORKSPACE_RESERVE = 256L << 20;

  private KvPoolSize() {}

  /**
   * Blocks of {@code dtype} in a host pool of {@code kvCacheBytes}.
   *
   * @param kvCacheBytes spec.engine.kvCacheMemory, or 0 for {@link #DEFAULT_HOST_BYTES}
   */
  static int host(ModelConfig config, DType dtype, long kvCacheBytes, int maxModelLen) {
    long budget = kvCacheBytes > 0 ? kvCacheBytes : DEFAULT_HOST_BYTES;
    long perBlock = PagedKvCache.bytesPerBlock(config, dtype);
    long blocks = budget / perBlock;
    long needed = minBlocks(maxModelLen);
    if (blocks < needed) {
      throw new ModelLoadException(
          "spec.engine.kvCacheMemory of "
              + budget
              + " bytes holds "
              + blocks
              + " KV blocks of "
              + perBlock
              + " bytes, fewer than the "
              + needed
              + " one sequence of maxModelLen "
              + maxModelLen
              + " needs; raise kvCacheMemory or lower maxModelLen");
    }
    return (int) Math.min(Integer.MAX_VALUE, blocks);
  }

  /**
   * Blocks of {@code dtype} in a device pool: {@code kvCacheBytes} when given, else {@code
   * fraction} of the free memory minus the weights and {@link #WORKSPACE_RESERVE}.
   *
   * @param weightBytes what the weights take on the devices
   * @param freeBytes free memory over all the devices
   * @param gpus the devices, as named in the refusal ("GPU 0", "GPUs 0,1")
   * @param fraction spec.engine.gpuMemoryUtilization
   */
  static int device(
      ModelConfig config,
      DType dtype,
      int maxModelLen,
      long weightBytes,
      long kvCacheBytes,
      long freeBytes,
      String gpus,
      double fraction) {
    long usable = (long) (fraction * freeBytes);
    long budget = kvCacheBytes > 0 ? kvCacheBytes : usable - weightBytes - WORKSPACE_RESERVE;
    long minBlocks = minBlocks(maxModelLen);
    long minKv = minBlocks * PagedKvCache.bytesPerBlock(config, dtype);
    if (weightBytes + Math.max(budget, minKv) + WORKSPACE_RESERVE > usable
        || PagedKvCache.blocksForBudget(config, dtype, Math.max(0, budget)) < minBlocks) {
      throw new ModelLoadException(
          String.format(
              "the model does not fit on %s: weights %.2f GiB + KV cache %.2f GiB (at least"
                  + " %.2f GiB for one %d-token sequence) + %.2f GiB workspace > %.0f%% of"
                  + " %.2f GiB free",
              gpus,
              gib(weightBytes),
              gib(Math.max(budget, 0)),
              gib(minKv),
              maxModelLen,
              gib(WORKSPACE_RESERVE),
              fraction * 100,
              gib(freeBytes)));
    }
    return PagedKvCache.blocksForBudget(config, dtype, budget);
  }

  private static long minBlocks(int maxModelLen) {
    return (maxModelLen + PagedKvCache.BLOCK_SIZE - 1) / PagedKvCache.BLOCK_SIZE;
  }

  private static double gib(long bytes) {
    return bytes / (double) (1L << 30);
  }
}
