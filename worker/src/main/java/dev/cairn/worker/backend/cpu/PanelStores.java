package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * How the panel kernels ({@link Bf16PanelMatmul}, {@link Q8PanelMatmul}, {@link Q4PanelMatmul})
 * write their outputs: a vector of {@code F.length()} adjacent output rows of one token, plus the
 * bias, clipped to the thread's range of rows (a panel cut by a range or by the matrix's end).
 *
 * <p>Every tile hands its accumulators over in a per-thread heap array, never as vector arguments:
 * a vector passed to a method that C2 declines to inline is boxed on the heap, and this store,
 * called eight times from a four-token tile, was declined (NodeCountInliningCutoff) at 22 call
 * sites in one bench run of decode and prefill in three formats.
 */
final class PanelStores {

  private static final int L = F.length();
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  private PanelStores() {}

  /**
   * Writes a heap tile's outputs (two vectors a token, row after row): tokens {@code [t, t+n)},
   * output rows {@code [row, row + 2L)} that fall in {@code [lo, hi)}.
   */
  static void tile(
      int outDim,
      MemorySegment bias,
      MemorySegment out,
      int t,
      int n,
      int row,
      int lo,
      int hi,
      float[] tile) {
    for (int i = 0; i < n; i++) {
      vector(out, bias, outDim, t + i, row, lo, hi, tile, 2 * i * L);
      vector(out, bias, outDim, t + i, row + L, lo, hi, tile, (2 * i + 1) * L);
    }
  }

  /**
   * Writes a decode tile's outputs: token {@code t}'s {@code rows} adjacent output rows from {@code
   * row}, held in {@code tile[0, rows)}, those in {@code [r0, r1)}.
   */
  static void token(
      int outDim,
      MemorySegment bias,
      MemorySegment out,
      int t,
      int row,
      int rows,
      int r0,
      int r1,
      float[] tile) {
    int lo = Math.max(r0, row);
    int hi = Math.min(r1, row + rows);
    for (int v = 0; v < rows; v += L) {
      vector(out, bias, outDim, t, row + v, lo, hi, tile, v);
    }
  }

  /**
   * Writes outputs {@code (t, [row, row + L))} that fall in {@code [lo, hi)}, plus the bias: whole
   * vectors inside the range, masked ones at its edges (a panel cut by a range or by the matrix).
   */
  private static void vector(
      MemorySegment out,
      MemorySegment bias,
      int outDim,
      int t,
      int row,
      int lo,
      int hi,
      float[] tile,
      int at) {
    FloatVector acc = FloatVector.fromArray(F, tile, at);
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
