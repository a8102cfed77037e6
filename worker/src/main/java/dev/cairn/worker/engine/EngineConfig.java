package dev.cairn.worker.engine;

import java.util.Set;

/**
 * Engine settings.
 *
 * @param maxNumSeqs requests running at once at most
 * @param maxNumBatchedTokens tokens computed per step at most (the token budget)
 * @param maxModelLen longest prompt + completion accepted
 * @param numKvBlocks blocks in the KV pool
 * @param blockSize tokens per KV block (16 in vLLM)
 * @param enablePrefixCaching share cached full prompt blocks between requests
 * @param eosTokenIds ids that end generation unless {@code ignoreEos} (from generation_config)
 * @param maxLorasPerBatch distinct LoRA adapters one step may serve (spec.lora.maxLorasPerBatch)
 */
public record EngineConfig(
    int maxNumSeqs,
    int maxNumBatchedTokens,
    int maxModelLen,
    int numKvBlocks,
    int blockSize,
    boolean enablePrefixCaching,
    Set<Integer> eosTokenIds,
    int maxLorasPerBatch) {

  /** vLLM's default block size. */
  public static final int DEFAULT_BLOCK_SIZE = 16;

  public EngineConfig {
    requirePositive("maxNumSeqs", maxNumSeqs);
    requirePositive("maxNumBatchedTokens", maxNumBatchedTokens);
    requirePositive("maxModelLen", maxModelLen);
    requirePositive("numKvBlocks", numKvBlocks);
    requirePositive("blockSize", blockSize);
    requirePositive("maxLorasPerBatch", maxLorasPerBatch);
    eosTokenIds = eosTokenIds == null ? Set.of() : Set.copyOf(eosTokenIds);
  }

  /** Settings without LoRA adapters. */
  public EngineConfig(
      int maxNumSeqs,
      int maxNumBatchedTokens,
      int maxModelLen,
      int numKvBlocks,
      int blockSize,
      boolean enablePrefixCaching,
      Set<Integer> eosTokenIds) {
    this(
        maxNumSeqs,
        maxNumBatchedTokens,
        maxModelLen,
        numKvBlocks,
        blockSize,
        enablePrefixCaching,
        eosTokenIds,
        Integer.MAX_VALUE);
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + value);
    }
  }
}
