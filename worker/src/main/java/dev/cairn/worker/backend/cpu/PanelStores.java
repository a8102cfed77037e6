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
    tile(outDim, bias, out, t, n, row, lo, hi, tile, 0);
  }

  /** {@link #tile}, the tile's outputs from element {@code from} of {@code tile}. */
  static void tile(
      int outDim,
      MemorySegment bias,
      MemorySegment out,
      int t,
      int n,
      int row,
      int lo,
      int hi,
      float[] tile,
      int from) {
    for (int i = 0; i < n; i++) {
      vector(out, bias, outDim, t + i, row, lo, hi, tile, from + 2 * i * L);
      vector(out, bias, outDim, t + i, row + L, lo, hi, tile, from + (2 * i + 1) * L);
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
