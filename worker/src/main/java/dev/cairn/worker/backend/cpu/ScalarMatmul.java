package dev.cairn.worker.backend.cpu;

import java.lang.foreign.MemorySegment;

/** The scalar fallback of the matmul: one dot product per (token, row), F32 or BF16 weights. */
final class ScalarMatmul {

  private ScalarMatmul() {}

  /** Rows {@code [r0, r1)} of {@code out[T, outDim] = x[T, in] · W[outDim, in]ᵀ (+ bias)}. */
  static void run(
      MemorySegment x,
      MemorySegment w,
      boolean bf16,
      MemorySegment bias,
      int tokens,
      int in,
      int outDim,
      MemorySegment out,
      int r0,
      int r1) {
    for (int t = 0; t < tokens; t++) {
      for (int r = r0; r < r1; r++) {
        float sum = 0;
        long wRow = (long) r * in;
        long xRow = (long) t * in;
        for (int k = 0; k < in; k++) {
          float wk = bf16 ? VectorSupport.bf16At(w, wRow + k) : VectorSupport.f32At(w, wRow + k);
          sum += x.getAtIndex(VectorSupport.LE, xRow + k) * wk;
        }
        if (bias != null) {
          sum += bias.getAtIndex(VectorSupport.LE, r);
        }
        out.setAtIndex(VectorSupport.LE, (long) t * outDim + r, sum);
      }
    }
  }
}
