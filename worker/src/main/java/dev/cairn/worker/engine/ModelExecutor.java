package dev.cairn.worker.engine;

import java.util.List;

/**
 * Runs the model's forward pass over a batch of sequence chunks against a paged KV cache that it
 * owns. The engine decides which blocks each sequence uses; the executor only reads and writes
 * them. Implementations: the CPU backend and the CUDA backend.
 */
public interface ModelExecutor extends AutoCloseable {

  /** Vocabulary size: the length of every logits row. */
  int vocabSize();

  /** Tokens per KV block. */
  int blockSize();

  /** Blocks in the KV pool; valid block ids are {@code [0, numKvBlocks)}. */
  int numKvBlocks();

  /** The longest sequence (prompt + generated) the model accepts. */
  int maxModelLen();

  /**
   * Runs one step over every chunk in one batched pass (each weight read once per step).
   *
   * @return logits rows {@code [vocabSize]} in batch order: every position of a chunk with {@code
   *     allPositionLogits}, else the last position of a chunk with {@code needsLogits}
   */
  float[][] execute(List<SequenceChunk> batch);

  /** Releases the KV pool and any device memory. */
  @Override
  void close();
}
