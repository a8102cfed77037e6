package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.cpu.TiledMatmul.Operands;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Batched steps (prefill, many streams) on Q8_0 / Q4_0 weights: each block of 16 rows is widened
 * once into an F32 scratch that stays in cache, then multiplied with the tokens in the vector
 * lanes: the activations transposed once per matmul ({@link #transposeTokens}, {@code [in][16]} per
 * block of 16 tokens), each weight broadcast to all 16 tokens of a block, eight rows at a time, so
 * outputs need no horizontal sums (measured one core, 16-row slab in cache: 83–88 GFMA/s, against
 * about 50 for row-by-row dot products over the same slab). Slab and activations are heap arrays:
 * read through {@link MemorySegment}, a tile's loads inlined so many nodes that C2 gave up on a
 * sixteen-accumulator body, and eight accumulators are just enough chains for two FMA ports of
 * latency four (one core in cache: eight rows × two token blocks from arrays 102–112 GFMA/s, eight
 * rows × one block from segments 91–94). Widening is exact (a code times an F16 scale fits a
 * float), so the result equals the reference on the dequantized weights within rounding.
 */
final class QuantSlabMatmul {

  /** Below this many tokens the quantized tiles win: widening a slab costs a pass of its own. */
  static final int MIN_TOKENS = 8;

  private static final int ROWS = 16;
  private static final int L = F.length();

  /** Per compute thread, the widened row block: reused across matmuls, grown when needed. */
  private static final ScratchFloats SLAB = new ScratchFloats();

  /**
   * Per calling thread (the engine's step thread), the transposed activations of the matmul in
   * flight: reused, grown when a larger one comes.
   */
  private static final ScratchFloats TRANSPOSED = new ScratchFloats();

  /** Per compute thread, one tile's outputs, row by row, before they go to their columns. */
  private static final ThreadLocal<float[]> TILE =
      ThreadLocal.withInitial(() -> new float[2 * ROWS * L]);

  /** Per compute thread, a tile transposed: 16 tokens' outputs, one after another. */
  private static final ThreadLocal<float[]> TOKENS =
      ThreadLocal.withInitial(() -> new float[L * L]);

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
      if (n == L && TokenTranspose.available()) {
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
   * Rows {@code [r0, r1)} of the output for all {@code tokens}; {@code q.w()} holds blocks and
   * {@code xT} is {@link #transposeTokens} of {@code q.x()}.
   */
  static void multiply(DType format, Operands q, float[] xT, int tokens, int r0, int r1) {
    int in = q.in();
    float[] slab = SLAB.atLeast(ROWS * in);
    float[] tile = TILE.get();
    int blockFloats = in * L;
    for (int rb = r0; rb < r1; rb += ROWS) {
      int n = Math.min(ROWS, r1 - rb);
      for (int i = 0; i < n; i++) {
        widenRow(format, q.w(), rb + i, in, slab, i * in);
      }
      int eights = n / 8 * 8;
      boolean whole = n == ROWS && TokenTranspose.available();
      int tb = 0;
      for (; tb + L < tokens; tb += 2 * L) {
        for (int r = 0; r < eights; r += 8) {
          tile8x2(slab, r * in, xT, tb * in, blockFloats, in, tile, r * L);
        }
        writeBlock(q, tile, 0, eights, whole, rb, tb, L);
        writeBlock(q, tile, ROWS * L, eights, whole, rb, tb + L, Math.min(L, tokens - tb - L));
      }
      if (tb < tokens) {
        for (int r = 0; r < eights; r += 8) {
          tile8(slab, r * in, xT, tb * in, in, tile, r * L);
        }
        writeBlock(q, tile, 0, eights, whole, rb, tb, tokens - tb);
      }
      // the rows past the last eight (a range's end), one token block at a time
      for (int r = eights; r < n; r++) {
        for (int t = 0; t < tokens; t += L) {
          tile1(slab, r * in, xT, t * in, in, tile);
          write(q, tile, 0, 1, rb + r, t, Math.min(L, tokens - t));
        }
      }
    }
  }

  /**
   * Rows {@code [w0/in, w0/in + 8)} of the slab × two blocks of {@code L} tokens ({@code x0} and
   * {@code x0 + step}) into {@code tile}: the first block's eight row vectors, then the second's.
   * Sixteen independent chains, each weight broadcast once for both blocks. Kept to the loop: more
   * in the body stops the JIT intrinsifying it.
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
      int wk = w0 + k;
      FloatVector v = FloatVector.broadcast(F, w[wk]);
      a0 = xa.fma(v, a0);
      b0 = xb.fma(v, b0);
      v = FloatVector.broadcast(F, w[wk + in]);
      a1 = xa.fma(v, a1);
      b1 = xb.fma(v, b1);
      v = FloatVector.broadcast(F, w[wk + 2 * in]);
      a2 = xa.fma(v, a2);
      b2 = xb.fma(v, b2);
      v = FloatVector.broadcast(F, w[wk + 3 * in]);
      a3 = xa.fma(v, a3);
      b3 = xb.fma(v, b3);
      v = FloatVector.broadcast(F, w[wk + 4 * in]);
      a4 = xa.fma(v, a4);
      b4 = xb.fma(v, b4);
      v = FloatVector.broadcast(F, w[wk + 5 * in]);
      a5 = xa.fma(v, a5);
      b5 = xb.fma(v, b5);
      v = FloatVector.broadcast(F, w[wk + 6 * in]);
      a6 = xa.fma(v, a6);
      b6 = xb.fma(v, b6);
      v = FloatVector.broadcast(F, w[wk + 7 * in]);
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
   * Eight slab rows × one block of tokens, from {@code tile[t0]}: a step's last block when their
   * count is odd.
   */
  private static void tile8(float[] w, int w0, float[] x, int x0, int in, float[] tile, int t0) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    FloatVector a4 = zero, a5 = zero, a6 = zero, a7 = zero;
    for (int k = 0; k < in; k++) {
      FloatVector xv = FloatVector.fromArray(F, x, x0 + k * L);
      int wk = w0 + k;
      a0 = xv.fma(FloatVector.broadcast(F, w[wk]), a0);
      a1 = xv.fma(FloatVector.broadcast(F, w[wk + in]), a1);
      a2 = xv.fma(FloatVector.broadcast(F, w[wk + 2 * in]), a2);
      a3 = xv.fma(FloatVector.broadcast(F, w[wk + 3 * in]), a3);
      a4 = xv.fma(FloatVector.broadcast(F, w[wk + 4 * in]), a4);
      a5 = xv.fma(FloatVector.broadcast(F, w[wk + 5 * in]), a5);
      a6 = xv.fma(FloatVector.broadcast(F, w[wk + 6 * in]), a6);
      a7 = xv.fma(FloatVector.broadcast(F, w[wk + 7 * in]), a7);
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

  /** One slab row × a block of tokens: the rows past the last eight. */
  private static void tile1(float[] w, int w0, float[] x, int x0, int in, float[] tile) {
    FloatVector a = FloatVector.zero(F);
    for (int k = 0; k < in; k++) {
      a = FloatVector.fromArray(F, x, x0 + k * L).fma(FloatVector.broadcast(F, w[w0 + k]), a);
    }
    a.intoArray(tile, 0);
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
   * Writes one token block of the tiles: rows {@code [0, eights)} from {@code tile[from]} (row
   * after row) to output columns from {@code col}, tokens {@code [tb, tb + valid)}. A whole slab
   * (16 rows × 16 tokens) is transposed in registers and leaves one vector a token: element by
   * element, a 128-token 4864 × 896 matmul ran at 119–134 GFMA/s against 155 with no stores at all.
   * Otherwise (a range's last rows) element by element.
   */
  private static void writeBlock(
      Operands q, float[] tile, int from, int eights, boolean whole, int col, int tb, int valid) {
    if (whole) {
      writeSquare(q, tile, from, col, tb, valid);
      return;
    }
    for (int r = 0; r < eights; r += 8) {
      write(q, tile, from + r * L, 8, col + r, tb, valid);
    }
  }

  /**
   * Writes the 16 rows × 16 tokens at {@code tile[from]} (row after row) to output columns {@code
   * [col, col + 16)} for tokens {@code [tb, tb + valid)}, adding the bias: transposed in registers,
   * then one vector a token. Each output gets the same float addition as in {@link #write}.
   */
  private static void writeSquare(Operands q, float[] tile, int from, int col, int tb, int valid) {
    float[] t = TOKENS.get();
    TokenTranspose.square(tile, from, t, 0);
    FloatVector bias =
        q.bias() == null
            ? FloatVector.zero(F)
            : FloatVector.fromMemorySegment(
                F, q.bias(), col * 4L, java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < valid; i++) {
      FloatVector.fromArray(F, t, i * L)
          .add(bias)
          .intoMemorySegment(
              q.out(), ((long) (tb + i) * q.outDim() + col) * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
    }
  }

  /** Row {@code r} of the blocks as F32 from element {@code dst} of {@code out}. */
  private static void widenRow(DType format, MemorySegment w, int r, int in, float[] out, int dst) {
    int blocks = in / QuantBlocks.BLOCK;
    long blockBytes = format.byteSize(QuantBlocks.BLOCK);
    long row = (long) r * blocks * blockBytes;
    for (int b = 0; b < blocks; b++) {
      long base = row + b * blockBytes;
      int o = dst + b * QuantBlocks.BLOCK;
      FloatVector d = FloatVector.broadcast(F, QuantBlocks.scale(w, base));
      if (format == DType.Q8_0) {
        for (int c = 0; c < QuantBlocks.BLOCK; c += L) {
          QuantLoads.q8(w, base + 2 + c).mul(d).intoArray(out, o + c);
        }
      } else {
        for (int p = 0; p < QuantBlocks.BLOCK / 2; p += L) {
          IntVector packed = QuantLoads.packed(w, base + 2 + p);
          QuantLoads.low(packed).mul(d).intoArray(out, o + p);
          QuantLoads.high(packed).mul(d).intoArray(out, o + 16 + p);
        }
      }
    }
  }
}
