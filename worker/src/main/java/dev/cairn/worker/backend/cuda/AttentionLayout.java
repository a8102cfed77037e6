package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.AttentionBatch;

/**
 * The int arrays one paged-attention launch reads, packed into one upload: block tables {@code
 * [chunks, maxBlocks]} (rows padded with block 0, never read past a chunk's length), then the chunk
 * of each query row {@code [T]}, then the position of each query row {@code [T]}.
 *
 * @param packed tables, then chunk per row, then position per row
 * @param maxBlocks row length of the tables
 * @param seqOffset index in {@code packed} of the chunk-per-row array
 * @param posOffset index in {@code packed} of the position-per-row array
 */
record AttentionLayout(int[] packed, int maxBlocks, int seqOffset, int posOffset) {

  static AttentionLayout of(AttentionBatch b) {
    int chunks = b.chunks();
    int maxBlocks = 1;
    for (int[] table : b.blockTables()) {
      maxBlocks = Math.max(maxBlocks, table.length);
    }
    int tokens = b.totalRows();
    int seqOffset = chunks * maxBlocks;
    int posOffset = seqOffset + tokens;
    int[] packed = new int[posOffset + tokens];
    int[] positions = b.positions();
    for (int c = 0; c < chunks; c++) {
      int[] table = b.blockTables()[c];
      System.arraycopy(table, 0, packed, c * maxBlocks, table.length);
      for (int i = 0; i < b.rowCount()[c]; i++) {
        int row = b.rowStart()[c] + i;
        packed[seqOffset + row] = c;
      }
    }
    System.arraycopy(positions, 0, packed, posOffset, tokens);
    return new AttentionLayout(packed, maxBlocks, seqOffset, posOffset);
  }
}
