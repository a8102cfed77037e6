package dev.cairn.worker.engine;

import dev.cairn.worker.lora.LoraWeights;

/**
 * One sequence's share of a batched forward step: the tokens to run now, where they start, and the
 * sequence's KV block table (block ids into the executor's pool, in order of position).
 *
 * <p>A prefill chunk has many tokens, a decode step one. The block table must already cover
 * positions {@code [0, startPosition + tokens.length)}; the executor writes the new tokens' keys
 * and values into those blocks and attends over every position up to each token.
 *
 * @param tokens token ids to process, {@code [n]}
 * @param startPosition position of {@code tokens[0]} in the sequence (tokens before it are cached)
 * @param blockTable KV block ids, {@code [ceil((startPosition + n) / blockSize)]} or longer
 * @param needsLogits whether the caller samples from this chunk's last position
 * @param allPositionLogits whether the caller wants logits at every position of the chunk (prompt
 *     logprobs); the last of them doubles as the sampling row when {@code needsLogits}
 * @param adapter the LoRA adapter the chunk's rows run with, or null for the base model
 */
public record SequenceChunk(
    int[] tokens,
    int startPosition,
    int[] blockTable,
    boolean needsLogits,
    boolean allPositionLogits,
    LoraWeights adapter) {

  /** A chunk on the base model. */
  public SequenceChunk(
      int[] tokens,
      int startPosition,
      int[] blockTable,
      boolean needsLogits,
      boolean allPositionLogits) {
    this(tokens, startPosition, blockTable, needsLogits, allPositionLogits, null);
  }

  /** A chunk that wants at most its last position's logits. */
  public SequenceChunk(int[] tokens, int startPosition, int[] blockTable, boolean needsLogits) {
    this(tokens, startPosition, blockTable, needsLogits, false, null);
  }

  /** Logits rows the forward pass returns for this chunk. */
  public int numLogitRows() {
    return allPositionLogits ? tokens.length : needsLogits ? 1 : 0;
  }
}
