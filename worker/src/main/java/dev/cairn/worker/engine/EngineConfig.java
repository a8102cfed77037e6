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
 * @param maxWaitingRequests requests queued beyond the {@code maxNumSeqs} running at most; the
 *     engine refuses more with {@link EngineOverloadedException}
 * @param requestTimeoutSeconds a request still unfinished this long after arrival is aborted and
 *     its KV blocks freed; 0 for no deadline
 */
public record EngineConfig(
    int maxNumSeqs,
    int maxNumBatchedTokens,
    int maxModelLen,
    int numKvBlocks,
    int blockSize,
    boolean enablePrefixCaching,
    Set<Integer> eosTokenIds,
    int maxLorasPerBatch,
    int maxWaitingRequests,
    int requestTimeoutSeconds) {

  /** vLLM's default block size. */
  public static final int DEFAULT_BLOCK_SIZE = 16;

  /**
   * Waiting requests allowed per running slot when none is configured. A queued request waits
   * roughly (queue length / maxNumSeqs) request durations before it starts (Little's law); past
   * two, a client does better retrying on another replica, and the 503s it gets tell it so.
   */
  public static final int DEFAULT_WAITING_PER_SEQ = 2;

  /**
   * Settings without LoRA adapters, with the default queue bound ({@link #defaultMaxWaiting}) and
   * no deadline.
   */
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
        Integer.MAX_VALUE,
        defaultMaxWaiting(maxNumSeqs),
        0);
  }

  /** The waiting-queue bound used when {@code engine.maxWaitingRequests} is unset. */
  public static int defaultMaxWaiting(int maxNumSeqs) {
    return DEFAULT_WAITING_PER_SEQ * maxNumSeqs;
  }

  /** Requests in flight (running plus waiting) at most. */
  public int maxInFlight() {
    return maxNumSeqs + maxWaitingRequests;
  }

  public EngineConfig {
    requirePositive("maxNumSeqs", maxNumSeqs);
    requirePositive("maxNumBatchedTokens", maxNumBatchedTokens);
    requirePositive("maxModelLen", maxModelLen);
    requirePositive("numKvBlocks", numKvBlocks);
    requirePositive("blockSize", blockSize);
    requirePositive("maxLorasPerBatch", maxLorasPerBatch);
    if (maxWaitingRequests < 0) {
      throw new IllegalArgumentException(
          "maxWaitingRequests must be >= 0, got " + maxWaitingRequests);
    }
    if (requestTimeoutSeconds < 0) {
      throw new IllegalArgumentException(
          "requestTimeoutSeconds must be >= 0, got " + requestTimeoutSeconds);
    }
    eosTokenIds = eosTokenIds == null ? Set.of() : Set.copyOf(eosTokenIds);
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + value);
    }
  }
}
