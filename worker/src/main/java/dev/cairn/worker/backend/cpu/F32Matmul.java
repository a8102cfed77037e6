package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.f32;
import static dev.cairn.worker.backend.cpu.VectorSupport.sum;
import static dev.cairn.worker.backend.cpu.VectorSupport.xf;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Register-tiled {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ} for F32 weights. Each loaded weight
 * vector serves four tokens, each loaded activation vector two rows; a decode row (one token) runs
 * four weight rows at once to keep loads in flight. The blocking is {@link TiledMatmul}'s.
 */
final class F32Matmul extends TiledMatmul {

  /** The kernel; its operands' activations are x itself, vecEnd by the vector length. */
  static final F32Matmul TILES = new F32Matmul();

  private static final int WB = 4; // bytes per weight element

  private F32Matmul() {}

  @Override
  void tile4x2(Operands s, int t, int r) {
    MemorySegment x = s.act();
    MemorySegment w = s.w();
    int in = s.in();
    int vecEnd = s.vecEnd();
    long w0 = (long) r * in * WB;
    long w1 = w0 + (long) in * WB;
    long x0 = (long) t * in * 4;
    long x1 = x0 + (long) in * 4;
    long x2 = x1 + (long) in * 4;
    long x3 = x2 + (long) in * 4;
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    for (int k = 0; k < vecEnd; k += F.length()) {
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
    store4x2(
        s, t, r, sum(a00), sum(a01), sum(a10), sum(a11), sum(a20), sum(a21), sum(a30), sum(a31));
  }

  /** A one-token row runs four weight rows at once, keeping four loads in flight. */
  @Override
  int decodeRows() {
    return 4;
  }

  @Override
  void decodeTile(Operands s, int t, int r) {
    MemorySegment x = s.act();
    MemorySegment w = s.w();
    int in = s.in();
    int vecEnd = s.vecEnd();
    FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
    FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
    long rowBytes = (long) in * WB;
    long w0 = (long) r * rowBytes;
    long x0 = (long) t * in * 4;
    for (int k = 0; k < vecEnd; k += F.length()) {
      FloatVector xv = xf(x, x0 + (long) k * 4);
      long wk = w0 + (long) k * WB;
      a0 = xv.fma(f32(w, wk), a0);
      a1 = xv.fma(f32(w, wk + rowBytes), a1);
      a2 = xv.fma(f32(w, wk + 2 * rowBytes), a2);
      a3 = xv.fma(f32(w, wk + 3 * rowBytes), a3);
    }
    store(s, t, r, sum(a0));
    store(s, t, r + 1, sum(a1));
    store(s, t, r + 2, sum(a2));
    store(s, t, r + 3, sum(a3));
  }

  @Override
  void tile1x1(Operands s, int t, int r) {
    MemorySegment x = s.act();
    MemorySegment w = s.w();
    int in = s.in();
    int vecEnd = s.vecEnd();
    FloatVector a = FloatVector.zero(F);
    long w0 = (long) r * in * WB;
    long x0 = (long) t * in * 4;
    for (int k = 0; k < vecEnd; k += F.length()) {
      a = xf(x, x0 + (long) k * 4).fma(f32(w, w0 + (long) k * WB), a);
    }
    store(s, t, r, sum(a));
  }

  @Override
  float weightAt(MemorySegment w, long index) {
    return VectorSupport.f32At(w, index);
  }
}
