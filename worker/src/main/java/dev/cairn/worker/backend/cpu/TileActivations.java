package dev.cairn.worker.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A step's activations as the tiles of {@link Q8PanelMatmul} and {@link Q4PanelMatmul} read them,
 * one copy for all of a matmul's tiles. The eight-token tiles (and Q8_0's four-token one) read:
 * each tile's tokens column by column, its activations of a column side by side ({@code [in][8]}
 * per eight tokens). A tile then broadcasts a column's activations from one index and constant
 * offsets. Read from token rows ({@code x[k + i·in]}), each broadcast needed its own address
 * arithmetic and the eight row offsets did not fit the registers beside the loop's other values, so
 * C2 reloaded them from the stack: 46 instructions a column for 16 multiply-adds, and a Q8_0 tile
 * ran at half the FMA rate.
 */
final class TileActivations {

  /** Tokens of the larger tile. */
  static final int TOKENS = 8;

  /** The fewest tokens left after the whole eight-token tiles that run as one more, padded. */
  private static final int PADDED_EIGHT = 6;

  /**
   * Whether the eight-token tiles run: their sixteen accumulators and three operands need more than
   * AVX2's sixteen vector registers, so 8-lane CPUs run every four tokens as a four-token tile.
   */
  static final boolean EIGHTS = VectorSupport.WIDE_TILES;

  /** Per compute thread, its copy of the activations of the matmul in flight. */
  private static final ScratchFloats COPY = new ScratchFloats();

  private TileActivations() {}

  /**
   * {@code x[tokens, in]} in tile order as the quantized tiles run: eight-token tiles from token 0
   * ({@link #EIGHTS}; a last six or seven as one more, the missing tokens zero: {@link
   * #eightsEnd}), then, with {@code four}, four-token tiles while four or more tokens are left (one
   * at most after the eights), then the rest as rows (a one-token tile's order is its row's), so
   * the tiles that read rows (the decode tiles, and Q4_0's four-token tile) read the same array. A
   * rest of two or three tokens runs as one four-token tile, so it is laid out as one (in tile
   * order with {@code four}, else as four rows), the missing tokens zero. The tile of tokens {@code
   * [t, t + n)} starts at element {@code t · in}. This thread's scratch, valid until its next call;
   * every range this thread runs of one matmul reads it ({@link LocalActivations}).
   */
  static float[] copy(MemorySegment x, int tokens, int in, boolean four) {
    return copy(x, tokens, in, four, 0);
  }

  /**
   * {@link #copy(MemorySegment, int, int, boolean)} with room for {@code extra} more floats after
   * the activations (from element {@code padded(tokens) · in}), which the caller fills.
   */
  static float[] copy(MemorySegment x, int tokens, int in, boolean four, int extra) {
    int held = padded(tokens);
    float[] a = COPY.atLeast(Math.max(1, Math.addExact(Math.multiplyExact(held, in), extra)));
    int t = 0;
    for (int end = eightsEnd(tokens); t < end; t += TOKENS) {
      put(x, in, t, Math.min(TOKENS, tokens - t), TOKENS, a);
    }
    for (; four && t + TOKENS / 2 <= tokens; t += TOKENS / 2) {
      put(x, in, t, TOKENS / 2, TOKENS / 2, a);
    }
    int rest = tokens - t;
    if (rest <= 0) {
      return a; // a padded eight-token tile took the last six or seven
    }
    if (four && rest >= 2) { // under four: the four-token tile above took any four
      put(x, in, t, rest, TOKENS / 2, a);
    } else {
      MemorySegment.copy(x, VectorSupport.LE, (long) t * in * Float.BYTES, a, t * in, rest * in);
      Arrays.fill(a, tokens * in, held * in, 0f);
    }
    return a;
  }

  /**
   * Tokens the copy holds: a last two or three past whole four-token tiles padded to four, which
   * also pads a last six or seven past whole eight-token tiles to eight ({@link #eightsEnd}).
   */
  static int padded(int tokens) {
    int rest = tokens % (TOKENS / 2);
    return rest >= 2 ? tokens - rest + TOKENS / 2 : tokens;
  }

  /**
   * Where the eight-token tiles of a step of {@code tokens} end ({@link #EIGHTS}; else 0): past the
   * last whole one, or past a last six or seven tokens, which run as one eight-token tile over zero
   * padding. As a four-token tile and a padded one, six or seven Q8_0 tokens took 35–37 ms a step
   * where eight took 32.8 (each pass of a tile widens every weight again).
   */
  static int eightsEnd(int tokens) {
    if (!EIGHTS) {
      return 0;
    }
    int rest = tokens % TOKENS;
    return rest >= PADDED_EIGHT ? tokens - rest + TOKENS : tokens - rest;
  }

  /**
   * Tokens {@code [t, t + m)} into {@code a} from element {@code t · in}, in the order of an {@code
   * n}-token tile ({@code n ≥ m}), the lanes of the {@code n - m} missing tokens zero.
   */
  private static void put(MemorySegment x, int in, int t, int m, int n, float[] a) {
    int base = t * in;
    for (int i = 0; i < m; i++) {
      long row = base + (long) i * in;
      // each token row read in order, written n floats apart
      for (int k = 0, dst = base + i; k < in; k++, dst += n) {
        a[dst] = x.getAtIndex(VectorSupport.LE, row + k);
      }
    }
    for (int i = m; i < n; i++) {
      for (int k = 0, dst = base + i; k < in; k++, dst += n) {
        a[dst] = 0f;
      }
    }
  }
}
