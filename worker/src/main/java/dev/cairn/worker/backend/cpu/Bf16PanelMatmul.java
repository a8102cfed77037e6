package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.I;
import static dev.cairn.worker.backend.cpu.VectorSupport.LE;
import static dev.cairn.worker.backend.cpu.VectorSupport.evens;
import static dev.cairn.worker.backend.cpu.VectorSupport.odds;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ (+ bias)} for BF16 weights in {@link PanelWeight}
 * panels. The outputs of a panel are two float vectors per token: each step loads a column pair of
 * the panel's rows (two vectors of pairs, widened by a shift and a mask), broadcasts each token's
 * two activations and multiply-adds them in. No lane ever needs summing across the vector, each
 * weight vector serves four tokens and each activation a whole panel, so batched steps run near the
 * FMA rate where row-by-row dot products (a horizontal sum per output, activations reloaded per
 * row) ran at about half of it; a decode step reads a panel as one contiguous stream. Every output
 * adds its products in column order in one lane whichever tile computes it, so a row of a batched
 * step equals the same row computed alone, bit for bit.
 */
final class Bf16PanelMatmul {

  private static final int L = F.length();
  private static final int ROWS = PanelWeight.ROWS;
  // Tokens per pass over the weights: as many as keep their activations in half of a 1 MB L2
  // while every panel streams past, so a prefill reads the weights from memory once per block, not
  // once per tile. A fixed 32 tokens re-read a 4864 × 896 matrix four times in a 128-token prefill:
  // 135–137 GFMA/s on two threads against 148–150 in one pass (weights from memory, alternated).
  private static final int ACTIVATION_BLOCK_BYTES = 512 * 1024;
  private static final long HALF = (long) L * Integer.BYTES;
  private static final long PAIR = 2 * HALF;
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  private Bf16PanelMatmul() {}

  /**
   * Output rows {@code [r0, r1)} for all {@code tokens}; a panel cut by the range is computed whole
   * and only its rows in range are written, so ranges of different threads never share an output.
   */
  static void multiply(
      PanelWeight w,
      MemorySegment x,
      MemorySegment bias,
      int tokens,
      MemorySegment out,
      int r0,
      int r1) {
    int block =
        Integer.getInteger("cairn.tb", 0) > 0
            ? Integer.getInteger("cairn.tb")
            : Math.max(4, Math.min(128, (128 * 1024 / w.in()) & ~3));
    for (int tb = 0; tb < tokens; tb += block) {
      int tEnd = Math.min(tokens, tb + block);
      for (int p = r0 / ROWS; p * ROWS < r1; p++) {
        int lo = Math.max(r0, p * ROWS);
        int hi = Math.min(r1, p * ROWS + ROWS);
        int t = tb;
        for (; t + 4 <= tEnd; t += 4) {
          tile4(w, x, bias, out, t, p, lo, hi);
        }
        for (; t < tEnd; t++) {
          tile1(w, x, bias, out, t, p, lo, hi);
        }
      }
    }
  }

  /** Tokens per pass over the panels: a multiple of the four-token tile. */
  static int tokenBlock(int in) {
    return Math.max(4, (ACTIVATION_BLOCK_BYTES / (in * Float.BYTES)) & ~3);
  }

  /**
   * Tokens {@code [t, t+4)} × panel {@code p}. As large as a tile gets here: with eight tokens, or
   * with accumulators loaded from memory rather than started at zero, C2 stopped intrinsifying the
   * body's vector operations (2–7 GFMA/s instead of 50–100; PrintInlining:
   * NodeCountInliningCutoff).
   */
  private static void tile4(
      PanelWeight w,
      MemorySegment x,
      MemorySegment bias,
      MemorySegment out,
      int t,
      int p,
      int lo,
      int hi) {
    MemorySegment pw = w.panels();
    int in = w.in();
    int whole = in / 2;
    long rowX = (long) in * Float.BYTES;
    long x0 = t * rowX;
    long x1 = x0 + rowX;
    long x2 = x1 + rowX;
    long x3 = x2 + rowX;
    long wo = w.panelOffset(p);
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    for (int j = 0; j < whole; j++, wo += PAIR) {
      IntVector q0 = IntVector.fromMemorySegment(I, pw, wo, ORDER);
      IntVector q1 = IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER);
      FloatVector e0 = evens(q0);
      FloatVector e1 = evens(q1);
      long k = j * 8L;
      FloatVector xv = at(x, x0 + k);
      a00 = e0.fma(xv, a00);
      a01 = e1.fma(xv, a01);
      xv = at(x, x1 + k);
      a10 = e0.fma(xv, a10);
      a11 = e1.fma(xv, a11);
      xv = at(x, x2 + k);
      a20 = e0.fma(xv, a20);
      a21 = e1.fma(xv, a21);
      xv = at(x, x3 + k);
      a30 = e0.fma(xv, a30);
      a31 = e1.fma(xv, a31);
      FloatVector o0 = odds(q0);
      FloatVector o1 = odds(q1);
      xv = at(x, x0 + k + 4);
      a00 = o0.fma(xv, a00);
      a01 = o1.fma(xv, a01);
      xv = at(x, x1 + k + 4);
      a10 = o0.fma(xv, a10);
      a11 = o1.fma(xv, a11);
      xv = at(x, x2 + k + 4);
      a20 = o0.fma(xv, a20);
      a21 = o1.fma(xv, a21);
      xv = at(x, x3 + k + 4);
      a30 = o0.fma(xv, a30);
      a31 = o1.fma(xv, a31);
    }
    if (in % 2 == 1) {
      // The last column alone: the other half of its pair is padding.
      FloatVector e0 = evens(IntVector.fromMemorySegment(I, pw, wo, ORDER));
      FloatVector e1 = evens(IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER));
      long k = (in - 1) * 4L;
      a00 = e0.fma(at(x, x0 + k), a00);
      a01 = e1.fma(at(x, x0 + k), a01);
      a10 = e0.fma(at(x, x1 + k), a10);
      a11 = e1.fma(at(x, x1 + k), a11);
      a20 = e0.fma(at(x, x2 + k), a20);
      a21 = e1.fma(at(x, x2 + k), a21);
      a30 = e0.fma(at(x, x3 + k), a30);
      a31 = e1.fma(at(x, x3 + k), a31);
    }
    int row = p * ROWS;
    int outDim = w.rows();
    store(out, bias, outDim, t, row, lo, hi, a00);
    store(out, bias, outDim, t, row + L, lo, hi, a01);
    store(out, bias, outDim, t + 1, row, lo, hi, a10);
    store(out, bias, outDim, t + 1, row + L, lo, hi, a11);
    store(out, bias, outDim, t + 2, row, lo, hi, a20);
    store(out, bias, outDim, t + 2, row + L, lo, hi, a21);
    store(out, bias, outDim, t + 3, row, lo, hi, a30);
    store(out, bias, outDim, t + 3, row + L, lo, hi, a31);
  }

  /** Token {@code t} × panel {@code p}: the decode tile, and the tokens past the last four. */
  private static void tile1(
      PanelWeight w,
      MemorySegment x,
      MemorySegment bias,
      MemorySegment out,
      int t,
      int p,
      int lo,
      int hi) {
    MemorySegment pw = w.panels();
    int in = w.in();
    int whole = in / 2;
    long x0 = t * (long) in * Float.BYTES;
    long wo = w.panelOffset(p);
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    for (int j = 0; j < whole; j++, wo += PAIR) {
      IntVector q0 = IntVector.fromMemorySegment(I, pw, wo, ORDER);
      IntVector q1 = IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER);
      long k = x0 + j * 8L;
      FloatVector xv = at(x, k);
      a0 = evens(q0).fma(xv, a0);
      a1 = evens(q1).fma(xv, a1);
      xv = at(x, k + 4);
      a0 = odds(q0).fma(xv, a0);
      a1 = odds(q1).fma(xv, a1);
    }
    if (in % 2 == 1) {
      FloatVector xv = at(x, x0 + (in - 1) * 4L);
      a0 = evens(IntVector.fromMemorySegment(I, pw, wo, ORDER)).fma(xv, a0);
      a1 = evens(IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER)).fma(xv, a1);
    }
    int row = p * ROWS;
    store(out, bias, w.rows(), t, row, lo, hi, a0);
    store(out, bias, w.rows(), t, row + L, lo, hi, a1);
  }

  /** One activation, in every lane. */
  private static FloatVector at(MemorySegment x, long off) {
    return FloatVector.broadcast(F, x.get(LE, off));
  }

  /**
   * Writes outputs {@code (t, [row, row + L))} that fall in {@code [lo, hi)}, plus the bias: whole
   * vectors inside the range, masked ones at its edges (a panel cut by a range or by the matrix).
   */
  private static void store(
      MemorySegment out,
      MemorySegment bias,
      int outDim,
      int t,
      int row,
      int lo,
      int hi,
      FloatVector acc) {
    long o = ((long) t * outDim + row) * Float.BYTES;
    if (row >= lo && row + L <= hi) {
      if (bias != null) {
        acc = acc.add(FloatVector.fromMemorySegment(F, bias, row * 4L, ORDER));
      }
      acc.intoMemorySegment(out, o, ORDER);
    } else if (row + L > lo && row < hi) {
      VectorMask<Float> m = F.indexInRange(row - lo, hi - lo);
      if (bias != null) {
        acc = acc.add(FloatVector.fromMemorySegment(F, bias, row * 4L, ORDER, m));
      }
      acc.intoMemorySegment(out, o, ORDER, m);
    }
  }
}
