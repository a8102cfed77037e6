package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.AttentionBatch;
import dev.cairn.worker.backend.HostTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Paged attention against the reference backend's causal attention: two sequences in one launch,
 * one a prefill chunk in the middle of its sequence and one a single decode token, with shuffled
 * block tables, GQA and contexts longer than one 64-key tile.
 */
class AttentionKernelsGpuTest extends GpuKernelTestBase {

  @ParameterizedTest
  @CsvSource({
    "F32, 32, 4, 2, 16",
    "F32, 160, 8, 2, 8",
    "BF16, 64, 4, 4, 16",
    "BF16, 128, 6, 2, 32"
  })
  void pagedAttentionMatchesTheReference(
      DeviceType cacheType, int headDim, int heads, int kvHeads, int blockSize) {
    int kvDim = kvHeads * headDim, qDim = heads * headDim;
    int[] lengths = {150, 71}; // sequence 0 ends with a 20-token chunk, sequence 1 with 1 token
    int[] chunk = {20, 1};
    int maxBlocks = (lengths[0] + blockSize - 1) / blockSize;
    int numBlocks = 2 * maxBlocks + 3; // spare blocks stay unused
    int[] tables = shuffledTables(numBlocks, maxBlocks, lengths, blockSize);

    float[][] k = {randoms(lengths[0] * kvDim, 1f), randoms(lengths[1] * kvDim, 1f)};
    float[][] v = {randoms(lengths[0] * kvDim, 1f), randoms(lengths[1] * kvDim, 1f)};
    long cacheBytes = (long) numBlocks * blockSize * kvDim * cacheType.bytes();
    DeviceBuffer kCache = alloc(cacheBytes);
    DeviceBuffer vCache = alloc(cacheBytes);
    var tablesDev = dev(tables);
    // Write every position of both sequences (earlier steps' keys and this step's) into the pool.
    for (int s = 0; s < 2; s++) {
      int[] slots = new int[lengths[s]];
      for (int p = 0; p < lengths[s]; p++) {
        slots[p] = tables[s * maxBlocks + p / blockSize] * blockSize + p % blockSize;
      }
      ops.kvWrite(
          kCache.pointer(),
          vCache.pointer(),
          cacheType,
          dev(k[s]),
          dev(v[s]),
          dev(slots),
          lengths[s],
          kvDim,
          kvDim,
          kvDim);
    }

    int tokens = chunk[0] + chunk[1];
    float[] q = randoms(tokens * qDim, 1f);
    int[] seq = new int[tokens];
    int[] pos = new int[tokens];
    for (int t = 0; t < tokens; t++) {
      seq[t] = t < chunk[0] ? 0 : 1;
      pos[t] = t < chunk[0] ? lengths[0] - chunk[0] + t : lengths[1] - 1;
    }
    DeviceBuffer out = out(tokens * qDim);
    ops.pagedAttention(
        new PagedAttentionArgs(
            out.pointer(),
            dev(q),
            kCache.pointer(),
            vCache.pointer(),
            cacheType,
            tablesDev,
            dev(seq),
            dev(pos),
            (float) (1 / Math.sqrt(headDim)),
            tokens,
            heads,
            kvHeads,
            headDim,
            blockSize,
            maxBlocks,
            qDim,
            qDim));

    float[] got = read(out, tokens * qDim);
    float[] want = referenceAttention(q, k, v, cacheType, lengths, chunk, heads, kvHeads, headDim);
    assertClose(got, want, 1e-4, 1e-2, "attention (" + cacheType + ")");
  }

  /**
   * The same step on the reference backend: each sequence's keys and values (rounded as the cache
   * stores them) in one block of its own, the query rows chunk by chunk.
   */
  private static float[] referenceAttention(
      float[] q,
      float[][] k,
      float[][] v,
      DeviceType cacheType,
      int[] lengths,
      int[] chunk,
      int heads,
      int kvHeads,
      int headDim) {
    int kvDim = kvHeads * headDim;
    int qDim = heads * headDim;
    int block = Math.max(lengths[0], lengths[1]);
    float[] kCache = new float[2 * block * kvDim];
    float[] vCache = new float[2 * block * kvDim];
    for (int s = 0; s < 2; s++) {
      System.arraycopy(rounded(k[s], cacheType), 0, kCache, s * block * kvDim, k[s].length);
      System.arraycopy(rounded(v[s], cacheType), 0, vCache, s * block * kvDim, v[s].length);
    }
    int tokens = chunk[0] + chunk[1];
    AttentionBatch batch =
        new AttentionBatch(
            new int[] {0, chunk[0]},
            chunk,
            new int[] {lengths[0] - chunk[0], lengths[1] - chunk[1]},
            new int[][] {{0}, {1}},
            block,
            heads,
            kvHeads,
            headDim);
    HostTensor out = zeros(tokens, qDim);
    REFERENCE.attention(
        tensor(q, tokens, qDim),
        tensor(kCache, 2 * block, kvDim),
        tensor(vCache, 2 * block, kvDim),
        batch,
        out);
    return values(out);
  }

  /** Block tables [2, maxBlocks] drawing each sequence's blocks from a shuffled pool. */
  private int[] shuffledTables(int numBlocks, int maxBlocks, int[] lengths, int blockSize) {
    int[] pool = new int[numBlocks];
    for (int i = 0; i < numBlocks; i++) {
      pool[i] = i;
    }
    for (int i = numBlocks - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = pool[i];
      pool[i] = pool[j];
      pool[j] = tmp;
    }
    int[] tables = new int[2 * maxBlocks];
    int next = 0;
    for (int s = 0; s < 2; s++) {
      int needed = (lengths[s] + blockSize - 1) / blockSize;
      if (needed > maxBlocks) {
        throw new IllegalArgumentException("test setup: " + needed + " blocks > " + maxBlocks);
      }
      for (int b = 0; b < needed; b++) {
        tables[s * maxBlocks + b] = pool[next++];
      }
    }
    return tables;
  }
}
