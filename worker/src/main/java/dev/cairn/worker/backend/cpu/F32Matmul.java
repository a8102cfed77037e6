package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.LE;
import static dev.cairn.worker.backend.cpu.VectorSupport.f32;
import static dev.cairn.worker.backend.cpu.VectorSupport.xf;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Register-tiled {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ} for F32 weights. Each loaded weight
 * vector serves four tokens, each loaded activation vector two rows; a decode row (one token) runs
 * four weight rows at once to keep loads in flight. Rows are processed in L1-sized blocks so
 * prefill re-reads a block from cache, not memory. The F32 and BF16 kernels are the same code twice
 * on purpose: a dtype switch inside the loop defeats the JIT.
 */
final class F32Matmul {

  private static final int WB = 4; // bytes per weight element
  private static final int ROW_BLOCK = 16;
  // Tokens per pass over the weights: a block's activations stay in cache while every row block
  // of the matrix streams past, so a long prefill chunk is not re-read from memory per row block.
  private static final int TOKEN_BLOCK = 32;

  private F32Matmul() {}

  /** Rows {@code [r0, r1)} of the output for all {@code tokens}; x, out F32, row-major. */
  static void run(
      MemorySegment x,
      MemorySegment w,
      MemorySegment bias,
      int tokens,
      int in,
      int outDim,
      MemorySegment out,
      int r0,
      int r1) {
    Shape s = new Shape(x, w, bias, in, in - in % F.length(), outDim, out);
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
          int r = rb;
          for (; r + 4 <= rbEnd; r += 4) {
            tile1x4(s, t, r);
          }
          for (; r < rbEnd; r++) {
            tile1x1(s, t, r);
          }
        }
      }
    }
  }

  /** The operands of one call; vecEnd is where the scalar tail of a row starts. */
  private record Shape(
      MemorySegment x,
      MemorySegment w,
      MemorySegment bias,
      int in,
      int vecEnd,
      int outDim,
      MemorySegment out) {}

  private static void tile4x2(Shape s, int t, int r) {
    MemorySegment x = s.x;
    MemorySegment w = s.w;
    int in = s.in;
    FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
    FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
    FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
    FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
    long w0 = (long) r * in * WB;
    long w1 = w0 + (long) in * WB;
    long x0 = (long) t * in * 4;
    long x1 = x0 + (long) in * 4;
    long x2 = x1 + (long) in * 4;
    long x3 = x2 + (long) in * 4;
    for (int k = 0; k < s.vecEnd; k += F.length()) {
      FloatVector v0 = f32(w, w0 + (long) k * WB);
      FloatVector v1 = f32(w, w1 + (long) k * WB);
      long kb = (long) k * 4;
      FloatVector xv = xf(x, x0 + kb);
      a00 = xv.fma(v0, a00);
      a01 = xv.fma(v1, a01);
      xv = xf(x, x1 + kb);
      a10 = xv.fma(v0, a10);
      a11 = xv.fma(v1, a11);
      xv = xf(x, x2 + kb);
      a20 = xv.fma(v0, a20);
      a21 = xv.fma(v1, a21);
      xv = xf(x, x3 + kb);
      a30 = xv.fma(v0, a30);
      a31 = xv.fma(v1, a31);
    }
    store(s, t, r, a00.reduceLanes(VectorOperators.ADD));
    store(s, t, r + 1, a01.reduceLanes(VectorOperators.ADD));
    store(s, t + 1, r, a10.reduceLanes(VectorOperators.ADD));
    store(s, t + 1, r + 1, a11.reduceLanes(VectorOperators.ADD));
    store(s, t + 2, r, a20.reduceLanes(VectorOperators.ADD));
    store(s, t + 2, r + 1, a21.reduceLanes(VectorOperators.ADD));
    store(s, t + 3, r, a30.reduceLanes(VectorOperators.ADD));
    store(s, t + 3, r + 1, a31.reduceLanes(VectorOperators.ADD));
  }

  private static void tile1x4(Shape s, int t, int r) {
    MemorySegment x = s.x;
    MemorySegment w = s.w;
    int in = s.in;
    FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
    FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
    long rowBytes = (long) in * WB;
    long w0 = (long) r * rowBytes;
    long x0 = (long) t * in * 4;
    for (int k = 0; k < s.vecEnd; k += F.length()) {
      FloatVector xv = xf(x, x0 + (long) k * 4);
      long wk = w0 + (long) k * WB;
      a0 = xv.fma(f32(w, wk), a0);
      a1 = xv.fma(f32(w, wk + rowBytes), a1);
      a2 = xv.fma(f32(w, wk + 2 * rowBytes), a2);
      a3 = xv.fma(f32(w, wk + 3 * rowBytes), a3);
    }
    store(s, t, r, a0.reduceLanes(VectorOperators.ADD));
    store(s, t, r + 1, a1.reduceLanes(VectorOperators.ADD));
    store(s, t, r + 2, a2.reduceLanes(VectorOperators.ADD));
    store(s, t, r + 3, a3.reduceLanes(VectorOperators.ADD));
  }

  private static void tile1x1(Shape s, int t, int r) {
    MemorySegment x = s.x;
    MemorySegment w = s.w;
    int in = s.in;
    FloatVector a = FloatVector.zero(F);
    long w0 = (long) r * in * WB;
    long x0 = (long) t * in * 4;
    for (int k = 0; k < s.vecEnd; k += F.length()) {
      a = xf(x, x0 + (long) k * 4).fma(f32(w, w0 + (long) k * WB), a);
    }
    store(s, t, r, a.reduceLanes(VectorOperators.ADD));
  }

  /** Adds the scalar tail {@code [vecEnd, in)} and the bias, then writes out[t, r]. */
  private static void store(Shape s, int t, int r, float sum) {
    for (int k = s.vecEnd; k < s.in; k++) {
      sum +=
          s.x.getAtIndex(LE, (long) t * s.in + k) * VectorSupport.f32At(s.w, (long) r * s.in + k);
    }
    if (s.bias != null) {
      sum += s.bias.getAtIndex(LE, r);
    }
    s.out.setAtIndex(LE, (long) t * s.outDim + r, sum);
  }
}
