package dev.cairn.worker.backend;

/**
 * Host-side description of one batched attention call over a paged KV cache. Query rows are the
 * stacked tokens of every chunk: chunk {@code c} owns rows {@code [rowStart[c], rowStart[c] +
 * rowCount[c])}, and its token {@code i} sits at sequence position {@code startPosition[c] + i},
 * attending causally to positions {@code [0, startPosition[c] + i]}. Position {@code p} of chunk
 * {@code c} lives in cache row {@code blockTables[c][p / blockSize] * blockSize + p % blockSize}.
 *
 * @param rowStart first query row of each chunk, {@code [chunks]}
 * @param rowCount query rows of each chunk, {@code [chunks]}
 * @param startPosition sequence position of each chunk's first row, {@code [chunks]}
 * @param blockTables KV block ids of each chunk, in position order
 * @param blockSize tokens per KV block
 * @param numHeads query heads
 * @param numKvHeads key/value heads (GQA: numHeads is a multiple)
 * @param headDim elements per head
 */
public record AttentionBatch(
    int[] rowStart,
    int[] rowCount,
    int[] startPosition,
    int[][] blockTables,
    int blockSize,
    int numHeads,
    int numKvHeads,
    int headDim) {

  /** Number of chunks. */
  public int chunks() {
    return rowStart.length;
  }

  /** Total query rows. */
  public int totalRows() {
    int t = 0;
    for (int n : rowCount) {
      t += n;
    }
    return t;
  }

  /** Cache row holding position {@code pos} of chunk {@code c}. */
  public int cacheRow(int c, int pos) {
    return blockTables[c][pos / blockSize] * blockSize + pos % blockSize;
  }

  /** Cache row of every query row (where its new key/value is written), {@code [totalRows]}. */
  public int[] slotMapping() {
    int[] slots = new int[totalRows()];
    for (int c = 0; c < chunks(); c++) {
      for (int i = 0; i < rowCount[c]; i++) {
        slots[rowStart[c] + i] = cacheRow(c, startPosition[c] + i);
      }
    }
    return slots;
  }

  /** Sequence position of every query row, {@code [totalRows]}. */
  public int[] positions() {
    int[] pos = new int[totalRows()];
    for (int c = 0; c < chunks(); c++) {
      for (int i = 0; i < rowCount[c]; i++) {
        pos[rowStart[c] + i] = startPosition[c] + i;
      }
    }
    return pos;
  }
}
