package dev.cairn.worker.executor;

import dev.cairn.worker.backend.AttentionBatch;
import dev.cairn.worker.engine.SequenceChunk;
import java.util.List;

/**
 * A batch flattened for one forward pass: every chunk's tokens stacked into one row range, and the
 * rows whose logits are wanted.
 *
 * @param tokens stacked token ids {@code [T]}
 * @param attention row ranges, positions and block tables for the attention op
 * @param logitRows rows whose logits are wanted, in batch order: every row of a chunk that wants
 *     all positions, else the last row of a chunk that needs logits
 */
record StepPlan(int[] tokens, AttentionBatch attention, int[] logitRows) {

  /** Validates {@code batch} against the executor's limits and flattens it. */
  static StepPlan of(
      List<SequenceChunk> batch,
      int blockSize,
      int numBlocks,
      int maxLen,
      int vocab,
      int heads,
      int kvHeads,
      int headDim) {
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("batch is empty");
    }
    int n = batch.size();
    int[] rowStart = new int[n];
    int[] rowCount = new int[n];
    int[] start = new int[n];
    int[][] tables = new int[n][];
    int total = 0;
    int logits = 0;
    for (int c = 0; c < n; c++) {
      SequenceChunk ch = batch.get(c);
      validate(ch, c, blockSize, numBlocks, maxLen, vocab);
      rowStart[c] = total;
      rowCount[c] = ch.tokens().length;
      start[c] = ch.startPosition();
      tables[c] = ch.blockTable();
      total += ch.tokens().length;
      logits += ch.numLogitRows();
    }
    int[] tokens = new int[total];
    int[] logitRows = new int[logits];
    for (int c = 0, r = 0; c < n; c++) {
      SequenceChunk ch = batch.get(c);
      System.arraycopy(ch.tokens(), 0, tokens, rowStart[c], rowCount[c]);
      int first = rowStart[c] + rowCount[c] - ch.numLogitRows();
      for (int row = first; row < rowStart[c] + rowCount[c]; row++) {
        logitRows[r++] = row;
      }
    }
    AttentionBatch ab =
        new AttentionBatch(rowStart, rowCount, start, tables, blockSize, heads, kvHeads, headDim);
    return new StepPlan(tokens, ab, logitRows);
  }

  private static void validate(
      SequenceChunk ch, int c, int blockSize, int numBlocks, int maxLen, int vocab) {
    int n = ch.tokens().length;
    if (n == 0) {
      throw new IllegalArgumentException("chunk " + c + " has no tokens");
    }
    int end = ch.startPosition() + n;
    if (ch.startPosition() < 0 || end > maxLen) {
      throw new IllegalArgumentException(
          "chunk "
              + c
              + " covers positions ["
              + ch.startPosition()
              + ", "
              + end
              + "), outside the model's maximum length "
              + maxLen);
    }
    int needed = (end + blockSize - 1) / blockSize;
    if (ch.blockTable().length < needed) {
      throw new IllegalArgumentException(
          "chunk "
              + c
              + " needs "
              + needed
              + " KV blocks for "
              + end
              + " positions, its block table has "
              + ch.blockTable().length);
    }
    for (int i = 0; i < needed; i++) {
      int b = ch.blockTable()[i];
      if (b < 0 || b >= numBlocks) {
        throw new IllegalArgumentException(
            "chunk " + c + " uses KV block " + b + ", outside the pool [0, " + numBlocks + ")");
      }
    }
    for (int t : ch.tokens()) {
      if (t < 0 || t >= vocab) {
        throw new IllegalArgumentException(
            "chunk " + c + " has token id " + t + " outside the vocabulary [0, " + vocab + ")");
      }
    }
  }
}
