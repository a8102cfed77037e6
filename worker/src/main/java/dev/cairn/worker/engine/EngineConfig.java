package dev.cairn.worker.engine;

import java.util.Set;

/**
 * Engine settings.
 *
 * @param maxNumSeqs requests running at once at most
 * @param maxNumBatchedTokens tokens computed per step at most (the token budget)
 * @param maxModelLen longest prompt + completion accepted
 * @param numKvBlocks blocks in the KV pool (see {@link #numBlocksForBudget})
 * @param blockSize tokens per KV block (16 in vLLM)
 * @param enablePrefixCaching share cached full prompt blocks between requests
 * @param eosTokenIds ids that end generation unless {@code ignoreEos} (from generation_config)
 * @param logEngineMetrics export vLLM-compatible engine metrics
 */
public record EngineConfig(
    int maxNumSeqs,
    int maxNumBatchedTokens,
    int maxModelLen,
    int numKvBlocks,
    int blockSize,
    boolean enablePrefixCaching,
    Set<Integer> eosTokenIds,
    boolean logEngineMetrics) {

  /** vLLM's default block size. */
  public static final int DEFAULT_BLOCK_SIZE = 16;

  public EngineConfig {
    requirePositive("maxNumSeqs", maxNumSeqs);
    requirePositive("maxNumBatchedTokens", maxNumBatchedTokens);
    requirePositive("maxModelLen", maxModelLen);
    requirePositive("numKvBlocks", numKvBlocks);
    requirePositive("blockSize", blockSize);
    eosTokenIds = eosTokenIds == null ? Set.of() : Set.copyOf(eosTokenIds);
  }

  /**
   * Blocks that fit a KV memory budget.
   *
   * @param budgetBytes memory set aside for keys and values
   * @param bytesPerBlock see {@link #bytesPerBlock}
   */
  public static int numBlocksForBudget(long budgetBytes, long bytesPerBlock) {
    if (bytesPerBlock <= 0) {
      throw new IllegalArgumentException("bytesPerBlock must be > 0, got " + bytesPerBlock);
    }
    long blocks = budgetBytes / bytesPerBlock;
    if (blocks < 1) {
      throw new IllegalArgumentException(
          "KV budget of "
              + budgetBytes
              + " bytes holds no block of "
              + bytesPerBlock
              + " bytes; raise the KV memory budget");
    }
    return (int) Math.min(Integer.MAX_VALUE, blocks);
  }

  /**
   * Bytes of one block: keys and values for every layer, {@code [2, layers, kvHeads, block, dim]}.
   */
  public static long bytesPerBlock(
      int numLayers, int numKvHeads, int headDim, int blockSize, int bytesPerElement) {
    return 2L * numLayers * numKvHeads * headDim * blockSize * bytesPerElement;
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + value);
    }
  }
}
