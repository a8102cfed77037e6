package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.cpu.TiledMatmul.Operands;
import java.lang.foreign.Arena;
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
 * about 50 for row-by-row dot products over the same slab). Widening is exact (a code times an F16
 * scale fits a float), so the result equals the reference on the dequantized weights within
 * rounding.
 */
final class QuantSlabMatmul {

  /** Below this many tokens the quantized tiles win: widening a slab costs a pass of its own. */
  static final int MIN_TOKENS = 8;

  private static final int ROWS = 16;
  private static final int L = F.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** Per compute thread, the widened row block: reused across matmuls, grown when needed. */
  private static final ThreadLocal<MemorySegment> SCRATCH =
      ThreadLocal.withInitial(() -> MemorySegment.NULL);

  /**
   * Per calling thread (the engine's step thread), the transposed activations of the matmul in
   * flight: reused, grown when a larger one comes.
   */
  private static final ThreadLocal<MemorySegment> TRANSPOSED =
      ThreadLocal.withInitial(() -> MemorySegment.NULL);

  /** Per compute thread, one tile's outputs, row by row, before they go to their columns. */
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[8 * L]);

  private QuantSlabMatmul() {}

  /**
   * {@code x[T, in]} with the tokens in the lanes: for each block of {@code L} tokens, {@code
   * [in][L]} floats, tokens past T zero. The segment is this thread's scratch, valid until its next
   * call; every range of one matmul reads it.
   */
  static MemorySegment transposeTokens(MemorySegment x, int tokens, int in) {
    int blocks = (tokens + L - 1) / L;
    long bytes = Math.multiplyExact((long) blocks * in, (long) L * Float.BYTES);
    MemorySegment t = scratch(TRANSPOSED, bytes);
    for (int b = 0; b < blocks; b++) {
      long dst = (long) b * in * L;
      int n = Math.min(L, tokens - b * L);
      int k = 0;
      if (n == L && TokenTranspose.available()) {
        long rowBytes = (long) in * Float.BYTES;
        for (; k + L <= in; k += L, dst += (long) L * L) {
          TokenTranspose.square(
              x, ((long) b * L * in + k) * Float.BYTES, rowBytes, t, dst * Float.BYTES);
        }
      }
      // Column by column: the block's token rows stay in cache, the writes run in order.
      for (; k < in; k++, dst += L) {
        long src = (long) b * L * in + k;
        int i = 0;
        for (; i < n; i++, src += in) {
          t.setAtIndex(VectorSupport.LE, dst + i, x.getAtIndex(VectorSupport.LE, src));
        }
        for (; i < L; i++) {
          t.setAtIndex(VectorSupport.LE, dst + i, 0f);
        }
      }
    }
    return t;
  }

  /**
   * Rows {@code [r0, r1)} of the output for all {@code tokens}; {@code q.w()} holds blocks and
   * {@code xT} is {@link #transposeTokens} of {@code q.x()}.
   */
  static void multiply(DType format, Operands q, MemorySegment xT, int tokens, int r0, int r1) {
    int in = q.in();
    long rowBytes = (long) in * Float.BYTES;
    MemorySegment scratch = scratch(SCRATCH, ROWS * rowBytes);
    float[] tile = TILE.get();
    for (int rb = r0; rb < r1; rb += ROWS) {
      int n = Math.min(ROWS, r1 - rb);
      for (int i = 0; i < n; i++) {
        widenRow(format, q.w(), rb + i, in, scratch, i * rowBytes);
      }
      for (int tb = 0; tb < tokens; tb += L) {
        MemorySegment block = xT.asSlice((long) tb * in * Float.BYTES, rowBytes * L);
        int r = 0;
        for (; r + 8 <= n; r += 8) {
          tile8(scratch, block, in, r, tile);
          write(q, tile, 8, rb + r, tb, Math.min(L, tokens - tb));
        }
        for (; r < n; r++) {
          tile1(scratch, block, in, r, tile);
          write(q, tile, 1, rb + r, tb, Math.min(L, tokens - tb));
        }
      }
    }
  }

  /**
   * Rows {@code [r, r+8)} of the slab × a block of {@code L} tokens into {@code tile} (row by row,
   * a vector of tokens each). Kept to the loop: more in the body stops the JIT intrinsifying it.
   */
  private static void tile8(MemorySegment w, MemorySegment xT, int in, int r, float[] tile) {
    long rowBytes = (long) in * Float.BYTES;
    long w0 = r * rowBytes;
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    FloatVector a4 = zero, a5 = zero, a6 = zero, a7 = zero;
    for (int k = 0; k < in; k++) {
      FloatVector xv = FloatVector.fromMemorySegment(F, xT, (long) k * L * Float.BYTES, LE);
      long wk = w0 + (long) k * Float.BYTES;
      a0 = xv.fma(weight(w, wk), a0);
      a1 = xv.fma(weight(w, wk + rowBytes), a1);
      a2 = xv.fma(weight(w, wk + 2 * rowBytes), a2);
      a3 = xv.fma(weight(w, wk + 3 * rowBytes), a3);
      a4 = xv.fma(weight(w, wk + 4 * rowBytes), a4);
      a5 = xv.fma(weight(w, wk + 5 * rowBytes), a5);
      a6 = xv.fma(weight(w, wk + 6 * rowBytes), a6);
      a7 = xv.fma(weight(w, wk + 7 * rowBytes), a7);
    }
    a0.intoArray(tile, 0);
    a1.intoArray(tile, L);
    a2.intoArray(tile, 2 * L);
    a3.intoArray(tile, 3 * L);
    a4.intoArray(tile, 4 * L);
    a5.intoArray(tile, 5 * L);
    a6.intoArray(tile, 6 * L);
    a7.intoArray(tile, 7 * L);
  }

  /** Row {@code r} of the slab × a block of tokens: the rows past the last eight. */
  private static void tile1(MemorySegment w, MemorySegment xT, int in, int r, float[] tile) {
    long w0 = r * (long) in * Float.BYTES;
    FloatVector a = FloatVector.zero(F);
    for (int k = 0; k < in; k++) {
      FloatVector xv = FloatVector.fromMemorySegment(F, xT, (long) k * L * Float.BYTES, LE);
      a = xv.fma(weight(w, w0 + (long) k * Float.BYTES), a);
    }
    a.intoArray(tile, 0);
  }

  /** One widened weight, in every lane. */
  private static FloatVector weight(MemorySegment w, long off) {
    return FloatVector.broadcast(F, w.get(VectorSupport.LE, off));
  }

  /**
   * Writes {@code rows} tile rows (output columns {@code [col, col + rows)}) for tokens {@code [tb,
   * tb + valid)}, adding the bias.
   */
  private static void write(Operands q, float[] tile, int rows, int col, int tb, int valid) {
    for (int i = 0; i < rows; i++) {
      float b = q.bias() == null ? 0f : q.bias().getAtIndex(VectorSupport.LE, col + i);
      for (int t = 0; t < valid; t++) {
        q.out()
            .setAtIndex(
                VectorSupport.LE, (long) (tb + t) * q.outDim() + col + i, tile[i * L + t] + b);
      }
    }
  }

  /** This thread's buffer of {@code slot}, grown (at least doubled) when under {@code bytes}. */
  private static MemorySegment scratch(ThreadLocal<MemorySegment> slot, long bytes) {
    MemorySegment s = slot.get();
    if (s.byteSize() < bytes) {
      s = Arena.ofAuto().allocate(Math.max(bytes, 2 * s.byteSize()), 64);
      slot.set(s);
    }
    return s;
  }

  /** Row {@code r} of the blocks as F32 at byte {@code dst} of {@code out}. */
  private static void widenRow(
      DType format, MemorySegment w, int r, int in, MemorySegment out, long dst) {
    int blocks = in / QuantBlocks.BLOCK;
    long blockBytes = format.byteSize(QuantBlocks.BLOCK);
    long row = (long) r * blocks * blockBytes;
    for (int b = 0; b < blocks; b++) {
      long base = row + b * blockBytes;
      long o = dst + (long) b * QuantBlocks.BLOCK * Float.BYTES;
      FloatVector d = FloatVector.broadcast(F, QuantBlocks.scale(w, base));
      if (format == DType.Q8_0) {
        for (int c = 0; c < QuantBlocks.BLOCK; c += L) {
          QuantLoads.q8(w, base + 2 + c).mul(d).intoMemorySegment(out, o + c * 4L, LE);
        }
      } else {
        for (int p = 0; p < QuantBlocks.BLOCK / 2; p += L) {
          IntVector packed = QuantLoads.packed(w, base + 2 + p);
          QuantLoads.low(packed).mul(d).intoMemorySegment(out, o + p * 4L, LE);
          QuantLoads.high(packed).mul(d).intoMemorySegment(out, o + (16 + p) * 4L, LE);
        }
      }
    }
  }
}
