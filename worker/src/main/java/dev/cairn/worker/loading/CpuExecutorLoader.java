package dev.cairn.worker.loading;

import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.executor.ExecutorFactory;
import dev.cairn.worker.executor.PagedKvCache;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelLoadException;
import java.nio.file.Path;

/** Weights memory-mapped in place, the KV pool in native memory, Vector API kernels. */
final class CpuExecutorLoader implements ExecutorLoader {

  /** KV pool when spec.engine.kvCacheMemory is unset. */
  static final long DEFAULT_KV_BYTES = 1L << 30;

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public TransformerExecutor load(
      Path dir, ModelConfig config, String dtype, long kvCacheBytes, int maxModelLen) {
    long budget = kvCacheBytes > 0 ? kvCacheBytes : DEFAULT_KV_BYTES;
    long perBlock = PagedKvCache.bytesPerBlock(config);
    long blocks = budget / perBlock;
    long needed = (maxModelLen + PagedKvCache.BLOCK_SIZE - 1) / PagedKvCache.BLOCK_SIZE;
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
    int numBlocks = (int) Math.min(Integer.MAX_VALUE, blocks);
    return ExecutorFactory.load(dir, new CpuBackend(), dtype, numBlocks);
  }
}
