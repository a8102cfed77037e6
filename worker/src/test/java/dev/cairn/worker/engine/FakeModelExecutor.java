package dev.cairn.worker.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model-free executor with a real paged "KV cache": each chunk's tokens are written into the
 * blocks of its block table, and the logits are computed from the whole sequence read back through
 * the block table. A wrong block table, a bad prefix-cache hit or a stale block therefore changes
 * the output, just as it would with a real model. The next token is a deterministic hash of the
 * sequence so far.
 */
public class FakeModelExecutor implements ModelExecutor {

  private static final int UNWRITTEN = Integer.MIN_VALUE;

  private final int vocabSize;
  private final int blockSize;
  private final int numBlocks;
  private final int maxModelLen;
  private final int[][] kv;
  private final int firstTarget;
  private final int numTargets;
  public final List<List<SequenceChunk>> steps = new ArrayList<>();
  public volatile RuntimeException failNext;

  /**
   * @param firstTarget lowest token id the hash picks
   * @param numTargets how many ids it picks from
   */
  public FakeModelExecutor(
      int vocabSize,
      int blockSize,
      int numBlocks,
      int maxModelLen,
      int firstTarget,
      int numTargets) {
    this.vocabSize = vocabSize;
    this.blockSize = blockSize;
    this.numBlocks = numBlocks;
    this.maxModelLen = maxModelLen;
    this.firstTarget = firstTarget;
    this.numTargets = numTargets;
    this.kv = new int[numBlocks][blockSize];
    for (int[] block : kv) {
      Arrays.fill(block, UNWRITTEN);
    }
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public int numKvBlocks() {
    return numBlocks;
  }

  @Override
  public int maxModelLen() {
    return maxModelLen;
  }

  @Override
  public synchronized float[][] execute(List<SequenceChunk> batch) {
    steps.add(List.copyOf(batch));
    RuntimeException fail = failNext;
    if (fail != null) {
      failNext = null;
      throw fail;
    }
    List<float[]> rows = new ArrayList<>();
    for (SequenceChunk chunk : batch) {
      int end = chunk.startPosition() + chunk.tokens().length;
      if (chunk.blockTable().length * blockSize < end) {
        throw new IllegalStateException("block table too short for " + end + " positions");
      }
      for (int i = 0; i < chunk.tokens().length; i++) {
        int pos = chunk.startPosition() + i;
        kv[chunk.blockTable()[pos / blockSize]][pos % blockSize] = chunk.tokens()[i];
      }
      for (int r = end - chunk.numLogitRows(); r < end; r++) {
        rows.add(logitsFor(readSequence(chunk.blockTable(), r + 1)));
      }
    }
    return rows.toArray(new float[0][]);
  }

  private int[] readSequence(int[] blockTable, int len) {
    int[] seq = new int[len];
    for (int pos = 0; pos < len; pos++) {
      int v = kv[blockTable[pos / blockSize]][pos % blockSize];
      if (v == UNWRITTEN) {
        throw new IllegalStateException("position " + pos + " read before it was written");
      }
      seq[pos] = v;
    }
    return seq;
  }

  /** The reference next token of a sequence. */
  public int nextToken(int[] seq) {
    return firstTarget + Math.floorMod(Arrays.hashCode(seq) * 0x9E3779B1, numTargets);
  }

  /** Logits peaked at {@link #nextToken}, with a smooth tail so sampling has choices. */
  public float[] logitsFor(int[] seq) {
    int target = nextToken(seq);
    float[] logits = new float[vocabSize];
    int h = Arrays.hashCode(seq);
    for (int i = 0; i < vocabSize; i++) {
      logits[i] = (float) (Math.floorMod(h * 31 + i * 0x45D9F3B, 1000) / 1000.0);
    }
    logits[target] = 8f;
    return logits;
  }

  /** Greedy reference generation, one sequence at a time without paging. */
  public int[] reference(int[] prompt, int maxTokens, int eos) {
    List<Integer> out = new ArrayList<>();
    int[] seq = prompt.clone();
    for (int i = 0; i < maxTokens; i++) {
      int t = nextToken(seq);
      out.add(t);
      if (t == eos) {
        break;
      }
      seq = Arrays.copyOf(seq, seq.length + 1);
      seq[seq.length - 1] = t;
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public void close() {}
}
