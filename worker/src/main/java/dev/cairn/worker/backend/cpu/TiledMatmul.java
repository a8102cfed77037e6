package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.LE;

import java.lang.foreign.MemorySegment;

/**
 * The blocking every vector matmul shares, {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ}: tokens
 * in blocks whose activations stay in cache while the weights stream past, rows in L1-sized blocks
 * so prefill re-reads a block from cache, not memory; within a block 4-token × 2-row tiles, then
 * single outputs for the edges, and a decode tile for one-token rows. A weight dtype supplies the
 * tiles: each keeps its own Vector API loads in its own loop, since a dtype switch inside the loop
 * defeats the JIT.
 */
abstract class TiledMatmul {

  private static final int ROW_BLOCK = 16;
  // Tokens per pass over the weights: a block's activations stay in cache while every row block
  // of the matrix streams past, so a long prefill chunk is not re-read from memory per row block.
  private static final int TOKEN_BLOCK = 32;

  /**
   * The operands of one call, row-major, F32 but for {@code w}.
   *
   * @param x the activations {@code [T, in]}, read for the scalar tail
   * @param act the activations as the tiles read them (x itself, or a dtype's rearranged copy)
   * @param vecEnd where the scalar tail of a row starts
   */
  record Operands(
      MemorySegment x,
      MemorySegment act,
      MemorySegment w,
      MemorySegment bias,
      int in,
      int vecEnd,
      int outDim,
      MemorySegment out) {

    /** The operands of a kernel whose tiles cover {@code chunk} elements of a row per step. */
    static Operands of(
        MemorySegment x,
        MemorySegment act,
        MemorySegment w,
        MemorySegment bias,
        int in,
        int chunk,
        int outDim,
        MemorySegment out) {
      return new Operands(x, act, w, bias, in, in - in % chunk, outDim, out);
    }
  }

  /** Outputs {@code [t, t+4) × [r, r+2)}. */
  abstract void tile4x2(Operands s, int t, int r);

  /** Output {@code (t, r)}. */
  abstract void tile1x1(Operands s, int t, int r);

  /**
   * Rows one decode tile covers: by default one, a decode row walking the weights one row at a time
   * so the hardware prefetcher sees a single stream.
   */
  int decodeRows() {
    return 1;
  }

  /** Outputs {@code t × [r, r + decodeRows())} of a token outside any 4-token tile. */
  void decodeTile(Operands s, int t, int r) {
    tile1x1(s, t, r);
  }

  /**
   * Rows {@code [r0, r1)} of a one-token step: by default {@link #decodeTile} across the range, a
   * single stream through the weights.
   */
  void decode(Operands s, int r0, int r1) {
    rowsOfToken(s, 0, r0, r1);
  }

  /** Outputs {@code t × [r0, r1)}: decode tiles, then single outputs past the last whole tile. */
  private void rowsOfToken(Operands s, int t, int r0, int r1) {
    int r = r0;
    for (int rows = decodeRows(); r + rows <= r1; r += rows) {
      decodeTile(s, t, r);
    }
    for (; r < r1; r++) {
      tile1x1(s, t, r);
    }
  }

  /** Weight element {@code index} of {@code w} as a float, for the scalar tail. */
  abstract float weightAt(MemorySegment w, long index);

  /** Rows {@code [r0, r1)} of the output for all {@code tokens}. */
  final void multiply(Operands s, int tokens, int r0, int r1) {
    if (tokens == 1) {
      decode(s, r0, r1);
      return;
    }
    for (int tb = 0; tb < tokens; tb += TOKEN_BLOCK) {
      int tbEnd = Math.min(tokens, tb + TOKEN_BLOCK);
      for (int rb = r0; rb < r1; rb += ROW_BLOCK) {
        int rbEnd = Math.min(r1, rb + ROW_BLOCK);
        int t = tb;
        for (; t + 4 <= tbEnd; t += 4) {
          int r = rb;
          for (; r + 2 <= rbEnd; r += 2) {
            tile4x2(s, t, r);
          }
          for (; r < rbEnd; r++) {
            for (int tt = t; tt < t + 4; tt++) {
              tile1x1(s, tt, r);
            }
          }
        }
        for (; t < tbEnd; t++) {
          rowsOfToken(s, t, rb, rbEnd);
        }
      }
    }
  }

  /**
   * Writes a 4×2 tile's sums, {@code sTR} for token t + T and row r + R. The tiles reduce their
   * accumulators themselves: vectors passed to a call the JIT does not inline are boxed.
   */
  final void store4x2(
      Operands s,
      int t,
      int r,
      float s00,
      float s01,
      float s10,
      float s11,
      float s20,
      float s21,
      float s30,
      float s31) {
    store(s, t, r, s00);
    store(s, t, r + 1, s01);
    store(s, t + 1, r, s10);
    store(s, t + 1, r + 1, s11);
    store(s, t + 2, r, s20);
    store(s, t + 2, r + 1, s21);
    store(s, t + 3, r, s30);
    store(s, t + 3, r + 1, s31);
  }

  /** Adds the scalar tail {@code [vecEnd, in)} and the bias, then writes out[t, r]. */
  final void store(Operands s, int t, int r, float sum) {
    long xRow = (long) t * s.in();
    long wRow = (long) r * s.in();
    for (int k = s.vecEnd(); k < s.in(); k++) {
      sum += s.x().getAtIndex(LE, xRow + k) * weightAt(s.w(), wRow + k);
    }
    if (s.bias() != null) {
      sum += s.bias().getAtIndex(LE, r);
    }
    s.out().setAtIndex(LE, (long) t * s.outDim() + r, sum);
  }
}
