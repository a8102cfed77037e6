package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.cpu.TiledMatmul.Operands;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Batched steps (prefill, many streams) on Q8_0 / Q4_0 weights: each block of 16 rows is widened
 * once into an F32 scratch that stays in cache, column after column (a column's 16 rows adjacent:
 * Q8_0 panel halves widen one vector a column, GGUF rows are turned in registers), then multiplied
 * with the tokens in the vector lanes: the activations transposed once per matmul ({@link
 * #transposeTokens}, {@code [in][16]} per block of 16 tokens), each weight broadcast to all 16
 * tokens of a block, eight rows at a time, so outputs need no horizontal sums (measured one core,
 * 16-row slab in cache: 83–88 GFMA/s, against about 50 for row-by-row dot products over the same
 * slab). Slab and activations are heap arrays: read through {@link MemorySegment}, a tile's loads
 * inlined so many nodes that C2 gave up on a sixteen-accumulator body, and eight accumulators are
 * just enough chains for two FMA ports of latency four (one core in cache: eight rows × two token
 * blocks from arrays 102–112 GFMA/s, eight rows × one block from segments 91–94); on 8 lanes tiles
 * of four rows × two blocks keep their eight chains and operands within AVX2's sixteen registers.
 * Widening is exact (a code times an F16 scale fits a float), so the result equals the reference on
 * the dequantized weights within rounding.
 */
final class QuantSlabMatmul {

  /** Below this many tokens the quantized tiles win: widening a slab costs a pass of its own. */
  static final int MIN_TOKENS = 8;

  private static final int ROWS = 16;
  private static final int L = F.length();

  /** Per compute thread, the widened row block: reused across matmuls, grown when needed. */
  private static final ScratchFloats SLAB = new ScratchFloats();

  /**
   * Per compute thread, its transposed activations of the matmul in flight ({@link
   * LocalActivations}): reused, grown when a larger one comes.
   */
  private static final ScratchFloats TRANSPOSED = new ScratchFloats();

  /** Floats in one 16 × 16 square of {@link #WIDE}: the offset of the second. */
  private static final int SQUARE = ROWS * ROWS;

  /**
   * Per compute thread, one block column of 16 rows widened row by row: columns 0–15 as one 16 × 16
   * square, columns 16–31 as another, each ready for {@link TokenTranspose#square}.
   */
  private static final ThreadLocal<float[]> WIDE =
      ThreadLocal.withInitial(() -> new float[2 * SQUARE]);

  /** Per compute thread, one tile's outputs, row by row, before they go to their columns. */
  private static final ThreadLocal<float[]> TILE =
      ThreadLocal.withInitial(() -> new float[2 * ROWS * L]);

  /**
   * Per compute thread, a tile transposed: L tokens' outputs, one after another, as one square (16
   * lanes) or two of 8 rows each (8 lanes: rows 8–15 from element 64).
   */
  private static final ThreadLocal<float[]> TOKENS =
      ThreadLocal.withInitial(() -> new float[ROWS * L]);

  private QuantSlabMatmul() {}

  /**
   * {@code x[T, in]} with the tokens in the lanes: for each block of {@code L} tokens, {@code
   * [in][L]} floats, tokens past T zero. The array is this thread's scratch, valid until its next
   * call; every range of one matmul reads it.
   */
  static float[] transposeTokens(MemorySegment x, int tokens, int in) {
    int blocks = (tokens + L - 1) / L;
    float[] t = TRANSPOSED.atLeast(Math.multiplyExact(Math.multiplyExact(blocks, in), L));
    for (int b = 0; b < blocks; b++) {
      int dst = b * in * L;
      int n = Math.min(L, tokens - b * L);
      int k = 0;
      if (n == L && TokenTranspose.squares()) {
        long rowBytes = (long) in * Float.BYTES;
        for (; k + L <= in; k += L, dst += L * L) {
          TokenTranspose.square(x, ((long) b * L * in + k) * Float.BYTES, rowBytes, t, dst);
        }
      }
      // Column by column: the block's token rows stay in cache, the writes run in order.
      for (; k < in; k++, dst += L) {
        long src = (long) b * L * in + k;
        int i = 0;
        for (; i < n; i++, src += in) {
          t[dst + i] = x.getAtIndex(VectorSupport.LE, src);
        }
        for (; i < L; i++) {
          t[dst + i] = 0f;
        }
      }
    }
    return t;
  }

  /**
   * Rows {@code [r0, r1)} of the output for all {@code tokens}; {@code q.w()} holds GGUF rows of
   * blocks and {@code xT} is {@link #transposeTokens} of {@code q.x()}.
   */
  static void multiply(DType format, Operands q, float[] xT, int tokens, int r0, int r1) {
    int in = q.in();
    float[] slab = SLAB.atLeast(ROWS * in);
    for (int rb = r0; rb < r1; rb += ROWS) {
      widenRows(format, q.w(), rb, Math.min(ROWS, r1 - rb), in, slab);
      tiles(q, slab, xT, tokens, rb, rb, Math.min(r1, rb + ROWS));
    }
  }

  /**
   * Rows {@code [r0, r1)} of the output for all {@code tokens} from Q8_0 or Q4_0 panels ({@code
   * q.w()} is {@code w.panels()}): a slab is half a panel, whose columns widen with one vector load
   * each (two on 8 lanes). A half cut by the range is computed whole and only its rows in range are
   * written.
   */
  static void multiplyPanels(
      QuantPanelWeight w, Operands q, float[] xT, int tokens, int r0, int r1) {
    float[] slab = SLAB.atLeast(ROWS * w.in());
    MemorySegment pw = w.panels();
    boolean q8 = w.dtype() == DType.Q8_0;
    long blockBytes = QuantPanelWeight.blockBytes(w.dtype());
    for (int h = r0 / ROWS; h * ROWS < r1; h++) {
      long bo = w.panelOffset(h / 2);
      long half = h % 2 * (long) ROWS;
      for (int b = 0, k = 0; b < w.blocks(); b++, bo += blockBytes, k += QuantBlocks.BLOCK) {
        for (int v = 0; v < ROWS; v += L) { // once on 16 lanes, twice on 8
          FloatVector d = QuantLoads.f16(pw, bo + 2 * (half + v));
          long o = bo + QuantPanelWeight.CODES + half + v;
          if (q8) {
            widenQ8(pw, o, d, slab, k * ROWS + v);
          } else {
            widenQ4(pw, o, d, slab, k * ROWS + v);
          }
        }
      }
      int col = h * ROWS;
      tiles(q, slab, xT, tokens, col, Math.max(r0, col), Math.min(r1, col + ROWS));
    }
  }

  /**
   * One vector of a Q8_0 panel half's rows, one block column (codes from {@code o}), into the slab
   * from element {@code at} (its first column), a column every {@code ROWS} elements.
   */
  private static void widenQ8(MemorySegment pw, long o, FloatVector d, float[] slab, int at) {
    for (int c = 0; c < QuantBlocks.BLOCK; c++, o += QuantPanelWeight.ROWS) {
      QuantLoads.q8(pw, o).mul(d).intoArray(slab, at + c * ROWS);
    }
  }

  /**
   * One vector of a Q4_0 panel half's rows, one block column, as {@link #widenQ8}: code byte j
   * gives column j (low nibbles) and j + 16 (high), each {@code code · d − 8d}, exact as in {@link
   * Q4PanelMatmul}.
   */
  private static void widenQ4(MemorySegment pw, long o, FloatVector d, float[] slab, int at) {
    FloatVector m = d.mul(-8f);
    int half = QuantBlocks.BLOCK / 2;
    for (int c = 0; c < QuantBlocks.BLOCK; c++) {
      long oc = o + (long) (c % half) * QuantPanelWeight.ROWS;
      QuantLoads.nibbles(pw, oc, c / half * 4).fma(d, m).intoArray(slab, at + c * ROWS);
    }
  }

  /**
   * The slab's 16 rows (output columns from {@code col}) × every token; only output columns in
   * {@code [lo, hi)} are written. Pairs of token blocks run {@link #tile8x2} twice where vectors
   * have 16 lanes, {@link #tile4x2} four times on 8 lanes: there {@link #tile8x2}'s sixteen
   * accumulators, two token vectors and a broadcast overflow AVX2's sixteen vector registers, and
   * the spills cost a Q4_0 step a quarter of its time (the 0.5B shape, {@code -XX:UseAVX=2}: 32
   * tokens 333–348 against 253–255 ms, 64 tokens 632–645 against 451–467, 128 tokens 1,154–1,166
   * against 850–858). A last odd block runs {@link #tile8}, whose eight accumulators fit both.
   */
  private static void tiles(
      Operands q, float[] slab, float[] xT, int tokens, int col, int lo, int hi) {
    int in = q.in();
    float[] tile = TILE.get();
    int blockFloats = in * L;
    boolean whole = lo == col && hi == col + ROWS && TokenTranspose.squares();
    int tb = 0;
    for (; tb + L < tokens; tb += 2 * L) {
      if (VectorSupport.WIDE_TILES) {
        tile8x2(slab, 0, xT, tb * in, blockFloats, in, tile, 0);
        tile8x2(slab, 8, xT, tb * in, blockFloats, in, tile, 8 * L);
      } else {
        for (int r = 0; r < ROWS; r += 4) {
          tile4x2(slab, r, xT, tb * in, blockFloats, in, tile, r * L);
        }
      }
      writeBlock(q, tile, 0, whole, col, lo, hi, tb, L);
      writeBlock(q, tile, ROWS * L, whole, col, lo, hi, tb + L, Math.min(L, tokens - tb - L));
    }
    if (tb < tokens) {
      tile8(slab, 0, xT, tb * in, in, tile, 0);
      tile8(slab, 8, xT, tb * in, in, tile, 8 * L);
      writeBlock(q, tile, 0, whole, col, lo, hi, tb, tokens - tb);
    }
  }

  /**
   * Slab rows {@code [w0, w0 + 8)} × two blocks of {@code L} tokens ({@code x0} and {@code x0 +
   * step}) into {@code tile}: the first block's eight row vectors, then the second's. Sixteen
   * independent chains, each weight broadcast once for both blocks. Kept to the loop: more in the
   * body stops the JIT intrinsifying it.
   */
  private static void tile8x2(
      float[] w, int w0, float[] x, int x0, int step, int in, float[] tile, int t0) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    FloatVector a4 = zero, a5 = zero, a6 = zero, a7 = zero;
    FloatVector b0 = zero, b1 = zero, b2 = zero, b3 = zero;
    FloatVector b4 = zero, b5 = zero, b6 = zero, b7 = zero;
    for (int k = 0; k < in; k++) {
      FloatVector xa = FloatVector.fromArray(F, x, x0 + k * L);
      FloatVector xb = FloatVector.fromArray(F, x, x0 + step + k * L);
      int wk = w0 + k * ROWS;
      FloatVector v = FloatVector.broadcast(F, w[wk]);
      a0 = xa.fma(v, a0);
      b0 = xb.fma(v, b0);
      v = FloatVector.broadcast(F, w[wk + 1]);
      a1 = xa.fma(v, a1);
      b1 = xb.fma(v, b1);
      v = FloatVector.broadcast(F, w[wk + 2]);
      a2 = xa.fma(v, a2);
      b2 = xb.fma(v, b2);
      v = FloatVector.broadcast(F, w[wk + 3]);
      a3 = xa.fma(v, a3);
      b3 = xb.fma(v, b3);
      v = FloatVector.broadcast(F, w[wk + 4]);
      a4 = xa.fma(v, a4);
      b4 = xb.fma(v, b4);
      v = FloatVector.broadcast(F, w[wk + 5]);
      a5 = xa.fma(v, a5);
      b5 = xb.fma(v, b5);
      v = FloatVector.broadcast(F, w[wk + 6]);
      a6 = xa.fma(v, a6);
      b6 = xb.fma(v, b6);
      v = FloatVector.broadcast(F, w[wk + 7]);
      a7 = xa.fma(v, a7);
      b7 = xb.fma(v, b7);
    }
    a0.intoArray(tile, t0);
    a1.intoArray(tile, t0 + L);
    a2.intoArray(tile, t0 + 2 * L);
    a3.intoArray(tile, t0 + 3 * L);
    a4.intoArray(tile, t0 + 4 * L);
    a5.intoArray(tile, t0 + 5 * L);
    a6.intoArray(tile, t0 + 6 * L);
    a7.intoArray(tile, t0 + 7 * L);
    b0.intoArray(tile, t0 + ROWS * L);
    b1.intoArray(tile, t0 + (ROWS + 1) * L);
    b2.intoArray(tile, t0 + (ROWS + 2) * L);
    b3.intoArray(tile, t0 + (ROWS + 3) * L);
    b4.intoArray(tile, t0 + (ROWS + 4) * L);
    b5.intoArray(tile, t0 + (ROWS + 5) * L);
    b6.intoArray(tile, t0 + (ROWS + 6) * L);
    b7.intoArray(tile, t0 + (ROWS + 7) * L);
  }

  /**
   * Slab rows {@code [w0, w0 + 4)} × two blocks of {@code L} tokens, as {@link #tile8x2} lays them
   * out in {@code tile}: eight chains, enough for two FMA ports of latency four, in AVX2's
   * registers with their two token vectors and a broadcast.
   */
  private static void tile4x2(
      float[] w, int w0, float[] x, int x0, int step, int in, float[] tile, int t0) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    FloatVector b0 = zero, b1 = zero, b2 = zero, b3 = zero;
    for (int k = 0; k < in; k++) {
      FloatVector xa = FloatVector.fromArray(F, x, x0 + k * L);
      FloatVector xb = FloatVector.fromArray(F, x, x0 + step + k * L);
      int wk = w0 + k * ROWS;
      FloatVector v = FloatVector.broadcast(F, w[wk]);
      a0 = xa.fma(v, a0);
      b0 = xb.fma(v, b0);
      v = FloatVector.broadcast(F, w[wk + 1]);
      a1 = xa.fma(v, a1);
      b1 = xb.fma(v, b1);
      v = FloatVector.broadcast(F, w[wk + 2]);
      a2 = xa.fma(v, a2);
      b2 = xb.fma(v, b2);
      v = FloatVector.broadcast(F, w[wk + 3]);
      a3 = xa.fma(v, a3);
      b3 = xb.fma(v, b3);
    }
    a0.intoArray(tile, t0);
    a1.intoArray(tile, t0 + L);
    a2.intoArray(tile, t0 + 2 * L);
    a3.intoArray(tile, t0 + 3 * L);
    b0.intoArray(tile, t0 + ROWS * L);
    b1.intoArray(tile, t0 + (ROWS + 1) * L);
    b2.intoArray(tile, t0 + (ROWS + 2) * L);
    b3.intoArray(tile, t0 + (ROWS + 3) * L);
  }

  /**
   * Slab rows {@code [w0, w0 + 8)} × one block of tokens, into {@code tile[t0]}: a step's last
   * block when their count is odd.
   */
  private static void tile8(float[] w, int w0, float[] x, int x0, int in, float[] tile, int t0) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    FloatVector a4 = zero, a5 = zero, a6 = zero, a7 = zero;
    for (int k = 0; k < in; k++) {
      FloatVector xv = FloatVector.fromArray(F, x, x0 + k * L);
      int wk = w0 + k * ROWS;
      a0 = xv.fma(FloatVector.broadcast(F, w[wk]), a0);
      a1 = xv.fma(FloatVector.broadcast(F, w[wk + 1]), a1);
      a2 = xv.fma(FloatVector.broadcast(F, w[wk + 2]), a2);
      a3 = xv.fma(FloatVector.broadcast(F, w[wk + 3]), a3);
      a4 = xv.fma(FloatVector.broadcast(F, w[wk + 4]), a4);
      a5 = xv.fma(FloatVector.broadcast(F, w[wk + 5]), a5);
      a6 = xv.fma(FloatVector.broadcast(F, w[wk + 6]), a6);
      a7 = xv.fma(FloatVector.broadcast(F, w[wk + 7]), a7);
    }
    a0.intoArray(tile, t0);
    a1.intoArray(tile, t0 + L);
    a2.intoArray(tile, t0 + 2 * L);
    a3.intoArray(tile, t0 + 3 * L);
    a4.intoArray(tile, t0 + 4 * L);
    a5.intoArray(tile, t0 + 5 * L);
    a6.intoArray(tile, t0 + 6 * L);
    a7.intoArray(tile, t0 + 7 * L);
  }

  /**
   * Writes {@code rows} tile rows from {@code tile[from]} (output columns {@code [col, col +
   * rows)}) for tokens {@code [tb, tb + valid)}, adding the bias.
   */
  private static void write(
      Operands q, float[] tile, int from, int rows, int col, int tb, int valid) {
    for (int i = 0; i < rows; i++) {
      float b = q.bias() == null ? 0f : q.bias().getAtIndex(VectorSupport.LE, col + i);
      for (int t = 0; t < valid; t++) {
        q.out()
            .setAtIndex(
                VectorSupport.LE,
                (long) (tb + t) * q.outDim() + col + i,
                tile[from + i * L + t] + b);
      }
    }
  }

  /**
   * Writes one token block of the tiles: the 16 rows at {@code tile[from]} (row after row) to
   * output columns from {@code col}, those in {@code [lo, hi)}, tokens {@code [tb, tb + valid)}. A
   * whole slab is transposed in registers and leaves one vector a token: element by element, a
   * 128-token 4864 × 896 matmul ran at 119–134 GFMA/s against 155 with no stores at all. Otherwise
   * (a range's first or last rows) element by element.
   */
  private static void writeBlock(
      Operands q,
      float[] tile,
      int from,
      boolean whole,
      int col,
      int lo,
      int hi,
      int tb,
      int valid) {
    if (whole) {
      writeSquare(q, tile, from, col, tb, valid);
    } else if (lo < hi) {
      write(q, tile, from + (lo - col) * L, hi - lo, lo, tb, valid);
    }
  }

  /**
   * Writes the 16 rows × L tokens at {@code tile[from]} (row after row) to output columns {@code
   * [col, col + 16)} for tokens {@code [tb, tb + valid)}, adding the bias: transposed in registers,
   * then one vector a token (two on 8 lanes). Each output gets the same float addition as in {@link
   * #write}.
   */
  private static void writeSquare(Operands q, float[] tile, int from, int col, int tb, int valid) {
    float[] t = TOKENS.get();
    for (int h = 0; h < ROWS; h += L) { // once on 16 lanes, twice on 8
      TokenTranspose.square(tile, from + h * L, t, h * L);
    }
    for (int h = 0; h < ROWS; h += L) {
      FloatVector bias =
          q.bias() == null
              ? FloatVector.zero(F)
              : FloatVector.fromMemorySegment(F, q.bias(), (col + h) * 4L, ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < valid; i++) {
        FloatVector.fromArray(F, t, h * L + i * L)
            .add(bias)
            .intoMemorySegment(
                q.out(),
                ((long) (tb + i) * q.outDim() + col + h) * Float.BYTES,
                ByteOrder.LITTLE_ENDIAN);
      }
    }
  }

  /**
   * Rows {@code [r, r + n)} of the blocks as F32 into the slab, column after column (row {@code i}
   * of column {@code k} at {@code slab[16k + i]}), rows past {@code n} zero: each block column is
   * widened row by row into two 16 × 16 squares ({@code WIDE}), then turned in registers where
   * vectors have 16 lanes, element by element otherwise.
   */
  private static void widenRows(DType format, MemorySegment w, int r, int n, int in, float[] slab) {
    int blocks = in / QuantBlocks.BLOCK;
    long blockBytes = format.byteSize(QuantBlocks.BLOCK);
    long rowBytes = blocks * blockBytes;
    float[] wide = WIDE.get();
    for (int b = 0; b < blocks; b++) {
      for (int i = 0; i < ROWS; i++) {
        if (i < n) {
          widenBlock(format, w, (r + i) * rowBytes + b * blockBytes, wide, i * ROWS);
        } else {
          Arrays.fill(wide, i * ROWS, (i + 1) * ROWS, 0f);
          Arrays.fill(wide, SQUARE + i * ROWS, SQUARE + (i + 1) * ROWS, 0f);
        }
      }
      int k0 = b * QuantBlocks.BLOCK;
      if (TokenTranspose.available()) {
        TokenTranspose.square(wide, 0, slab, k0 * ROWS);
        TokenTranspose.square(wide, SQUARE, slab, (k0 + ROWS) * ROWS);
      } else {
        for (int c = 0; c < QuantBlocks.BLOCK; c++) {
          int from = c / ROWS * SQUARE + c % ROWS;
          for (int i = 0; i < ROWS; i++) {
            slab[(k0 + c) * ROWS + i] = wide[from + i * ROWS];
          }
        }
      }
    }
  }

  /**
   * The block at byte {@code base} as floats: its first 16 from element {@code dst} of {@code out},
   * its last 16 from {@code SQUARE + dst} (a vector never straddles the two: L divides 16).
   */
  private static void widenBlock(DType format, MemorySegment w, long base, float[] out, int dst) {
    FloatVector d = FloatVector.broadcast(F, QuantBlocks.scale(w, base));
    if (format == DType.Q8_0) {
      for (int c = 0; c < QuantBlocks.BLOCK; c += L) {
        QuantLoads.q8(w, base + 2 + c).mul(d).intoArray(out, c / ROWS * SQUARE + dst + c % ROWS);
      }
    } else {
      // a packed byte's low nibble is column p, its high nibble column p + 16
      for (int p = 0; p < QuantBlocks.BLOCK / 2; p += L) {
        IntVector packed = QuantLoads.packed(w, base + 2 + p);
        QuantLoads.low(packed).mul(d).intoArray(out, dst + p);
        QuantLoads.high(packed).mul(d).intoArray(out, SQUARE + dst + p);
      }
    }
  }
}
