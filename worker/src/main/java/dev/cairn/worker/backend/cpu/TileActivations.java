package dev.cairn.worker.backend.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A batched step's activations as the eight-token tiles of {@link Q8PanelMatmul} and {@link
 * Q4PanelMatmul} read them: each group of eight tokens column by column, its eight activations of a
 * column side by side ({@code [tokens / 8][in][8]}). A tile then broadcasts a column's eight
 * activations from one index and eight constant offsets. Read from token rows ({@code x[k +
 * i·in]}), each broadcast needed its own address arithmetic and the eight row offsets did not fit
 * the registers beside the loop's other values, so C2 reloaded them from the stack: 46 instructions
 * a column for 16 multiply-adds, and a Q8_0 tile ran at half the FMA rate.
 */
final class TileActivations {

  /** Tokens of a tile. */
  static final int TOKENS = 8;

  /** Per calling thread, the copy of the matmul in flight. */
  private static final ScratchFloats COPY = new ScratchFloats();

  private TileActivations() {}

  /**
   * The first {@code tokens / 8 · 8} rows of {@code x[tokens, in]} in tile order, the tile of
   * tokens {@code [t, t + 8)} from element {@code t · in}: this thread's scratch, valid until its
   * next call; every range of one matmul reads it.
   */
  static float[] copy(MemorySegment x, int tokens, int in) {
    int groups = tokens / TOKENS;
    float[] a = COPY.atLeast(Math.max(1, Math.multiplyExact(groups * TOKENS, in)));
    for (int g = 0; g < groups; g++) {
      int base = g * TOKENS * in;
      for (int i = 0; i < TOKENS; i++) {
        long row = base + (long) i * in;
        // each token row read in order, written eight floats apart
        for (int k = 0, dst = base + i; k < in; k++, dst += TOKENS) {
          a[dst] = x.getAtIndex(VectorSupport.LE, row + k);
        }
      }
    }
    return a;
  }
}
