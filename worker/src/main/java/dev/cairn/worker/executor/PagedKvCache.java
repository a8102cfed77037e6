package dev.cairn.worker.executor;

import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.model.ModelConfig;

/**
 * The KV pool: per layer one key and one value tensor {@code [numBlocks * blockSize, kvDim]} (F32
 * or BF16, in the backend's own order: {@link Backend#allocateKvCache}). Block {@code b} holds
 * cache rows {@code [b * blockSize, (b + 1) * blockSize)}; which block serves which sequence is the
 * engine's business.
 */
public final class PagedKvCache {

  /** Tokens per block, as vLLM's default. */
  public static final int BLOCK_SIZE = 16;

  private final int numBlocks;
  private final DType dtype;
  private final DeviceTensor[] keys;
  private final DeviceTensor[] values;

  /**
   * Allocates {@code numBlocks} blocks of {@code dtype} (F32 or BF16) for every layer of {@code
   * config} on {@code backend}.
   */
  public PagedKvCache(Backend backend, ModelConfig config, int numBlocks, DType dtype) {
    if (numBlocks <= 0) {
      throw new IllegalArgumentException("numKvBlocks must be positive, got " + numBlocks);
    }
    this.numBlocks = numBlocks;
    this.dtype = dtype;
    this.keys = new DeviceTensor[config.numLayers()];
    this.values = new DeviceTensor[config.numLayers()];
    for (int l = 0; l < config.numLayers(); l++) {
      keys[l] =
          backend.allocateKvCache(
              numBlocks * BLOCK_SIZE, config.numKvHeads(), config.headDim(), dtype);
      values[l] =
          backend.allocateKvCache(
              numBlocks * BLOCK_SIZE, config.numKvHeads(), config.headDim(), dtype);
    }
  }

  /**
   * Bytes one block takes over all layers (keys and values in {@code dtype}): size a pool from a
   * budget.
   */
  public static long bytesPerBlock(ModelConfig config, DType dtype) {
    return 2L * config.numLayers() * BLOCK_SIZE * config.kvDim() * dtype.bytes();
  }

  /** How many blocks of {@code dtype} fit in {@code budgetBytes}. */
  public static int blocksForBudget(ModelConfig config, DType dtype, long budgetBytes) {
    return (int) Math.min(Integer.MAX_VALUE, budgetBytes / bytesPerBlock(config, dtype));
  }

  /** The element type of keys and values. */
  public DType dtype() {
    return dtype;
  }

  /** Number of blocks. */
  public int numBlocks() {
    return numBlocks;
  }

  /** Keys of layer {@code l}. */
  public DeviceTensor keys(int l) {
    return keys[l];
  }

  /** Values of layer {@code l}. */
  public DeviceTensor values(int l) {
    return values[l];
  }
}
