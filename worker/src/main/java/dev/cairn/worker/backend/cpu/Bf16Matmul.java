package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.LE;
import static dev.cairn.worker.backend.cpu.VectorSupport.bf16Pairs;
import static dev.cairn.worker.backend.cpu.VectorSupport.evens;
import static dev.cairn.worker.backend.cpu.VectorSupport.odds;
import static dev.cairn.worker.backend.cpu.VectorSupport.sum;
import static dev.cairn.worker.backend.cpu.VectorSupport.xf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Register-tiled {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ} for BF16 weights. Weights are
 * loaded as int lanes holding two BF16 values each and widened with one shift (even elements) or
 * one mask (odd elements); the activations are split once per call into matching even/odd halves
 * per chunk (see {@link #splitEvenOdd}), so the inner loop has no shuffles or converts and decode
 * keeps up with memory. Each loaded weight vector serves four tokens, each activation vector two
 * rows. A decode row (one token) walks the weights strictly in order, one row at a time with two
 * chunks in flight: interleaving several short rows (896 elements in a 0.5B model) measured slower,
 * as it splits the hardware prefetcher's one stream into many short ones. The blocking is {@link
 * TiledMatmul}'s. The split activations live in native memory, read through long offsets: from a
 * heap float[] the same 4×2 tile ran at 0.6× the speed (14 vs 23 GFMA/s per core here), its
 * per-load bounds checks not hoisted.
 */
final class Bf16Matmul extends TiledMatmul {

  /** The kernel; its operands' activations are {@link #splitEvenOdd}, vecEnd by {@link #CHUNK}. */
  static final Bf16Matmul TILES = new Bf16Matmul();

  private static final int WB = 2; // bytes per weight element
  private static final int L = F.length();

  /** Weight elements per int-vector load. */
  static final int CHUNK = 2 * L;

  private static final int F32 = Float.BYTES;

  /**
   * Per calling thread (the engine's step thread), the split activations of the matmul in flight:
   * reused, since every step runs some hundred matmuls, and grown when a larger one comes.
   */
  private static final ThreadLocal<MemorySegment> SPLIT =
      ThreadLocal.withInitial(() -> MemorySegment.NULL);

  private Bf16Matmul() {}

  /**
   * Copies {@code x[T, in]} (F32) into native memory where each {@code CHUNK} of a row holds its
   * even elements first, then its odd ones; the scalar tail past the last whole chunk is unused.
   * The segment is this thread's scratch: valid until its next call.
   */
  static MemorySegment splitEvenOdd(MemorySegment x, int tokens, int in) {
    long bytes = Math.multiplyExact((long) tokens * in, F32);
    MemorySegment xp = SPLIT.get();
    if (xp.byteSize() < bytes) {
      xp = Arena.ofAuto().allocate(Math.max(bytes, 2 * xp.byteSize()), 64);
      SPLIT.set(xp);
    }
    int vecEnd = in - in % CHUNK;
    for (int t = 0; t < tokens; t++) {
      long base = (long) t * in;
      for (int k = 0; k < vecEnd; k += CHUNK) {
        for (int j = 0; j < L; j++) {
          xp.setAtIndex(LE, base + k + j, x.getAtIndex(LE, base + k + 2 * j));
          xp.setAtIndex(LE, base + k + L + j, x.getAtIndex(LE, base + k + 2 * j + 1));
        }
      }
    }
    return xp;
  }

  @Override
  void tile4x2(Operands s, int t, int r) {
    MemorySegment w = s.w();
    MemorySegment xp = s.act();
    long in = s.in();
    long w0 = r * in * WB;
    long w1 = w0 + in * WB;
    // byte offsets of the four token rows and of a chunk's odd half
    long x0 = t * in * F32;
    long x1 = x0 + in * F32;
    long x2 = x1 + in * F32;
    long x3 = x2 + in * F32;
    long odd = (long) L * F32;
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    for (long k = 0; k < s.vecEnd(); k += CHUNK) {
      IntVector p0 = bf16Pairs(w, w0 + k * WB);
      IntVector p1 = bf16Pairs(w, w1 + k * WB);
      FloatVector e0 = evens(p0), o0 = odds(p0), e1 = evens(p1), o1 = odds(p1);
      long xk = k * F32;
      FloatVector xe = xf(xp, x0 + xk);
      FloatVector xo = xf(xp, x0 + xk + odd);
      a00 = xo.fma(o0, xe.fma(e0, a00));
      a01 = xo.fma(o1, xe.fma(e1, a01));
      xe = xf(xp, x1 + xk);
      xo = xf(xp, x1 + xk + odd);
      a10 = xo.fma(o0, xe.fma(e0, a10));
      a11 = xo.fma(o1, xe.fma(e1, a11));
      xe = xf(xp, x2 + xk);
      xo = xf(xp, x2 + xk + odd);
      a20 = xo.fma(o0, xe.fma(e0, a20));
      a21 = xo.fma(o1, xe.fma(e1, a21));
      xe = xf(xp, x3 + xk);
      xo = xf(xp, x3 + xk + odd);
      a30 = xo.fma(o0, xe.fma(e0, a30));
      a31 = xo.fma(o1, xe.fma(e1, a31));
    }
    store4x2(
        s, t, r, sum(a00), sum(a01), sum(a10), sum(a11), sum(a20), sum(a21), sum(a30), sum(a31));
  }

  /** One output; also the decode kernel, so four chunks per step keep eight FMA chains apart. */
  @Override
  void tile1x1(Operands s, int t, int r) {
    FloatVector e = FloatVector.zero(F), o = FloatVector.zero(F);
    FloatVector e1 = FloatVector.zero(F), o1 = FloatVector.zero(F);
    FloatVector e2 = FloatVector.zero(F), o2 = FloatVector.zero(F);
    FloatVector e3 = FloatVector.zero(F), o3 = FloatVector.zero(F);
    MemorySegment xp = s.act();
    MemorySegment w = s.w();
    long vecEnd = s.vecEnd();
    long w0 = (long) r * s.in() * WB;
    long x0 = (long) t * s.in() * F32;
    long odd = (long) L * F32;
    long chunk = (long) CHUNK * F32;
    long k = 0;
    for (; k + 4 * CHUNK <= vecEnd; k += 4 * CHUNK) {
      long wk = w0 + k * WB;
      long xk = x0 + k * F32;
      IntVector p0 = bf16Pairs(w, wk);
      IntVector p1 = bf16Pairs(w, wk + CHUNK * WB);
      IntVector p2 = bf16Pairs(w, wk + 2 * CHUNK * WB);
      IntVector p3 = bf16Pairs(w, wk + 3 * CHUNK * WB);
      e = xf(xp, xk).fma(evens(p0), e);
      o = xf(xp, xk + odd).fma(odds(p0), o);
      e1 = xf(xp, xk + chunk).fma(evens(p1), e1);
      o1 = xf(xp, xk + chunk + odd).fma(odds(p1), o1);
      e2 = xf(xp, xk + 2 * chunk).fma(evens(p2), e2);
      o2 = xf(xp, xk + 2 * chunk + odd).fma(odds(p2), o2);
      e3 = xf(xp, xk + 3 * chunk).fma(evens(p3), e3);
      o3 = xf(xp, xk + 3 * chunk + odd).fma(odds(p3), o3);
    }
    e = e.add(e1).add(e2.add(e3));
    o = o.add(o1).add(o2.add(o3));
    for (; k < vecEnd; k += CHUNK) {
      IntVector p = bf16Pairs(w, w0 + k * WB);
      e = xf(xp, x0 + k * F32).fma(evens(p), e);
      o = xf(xp, x0 + k * F32 + odd).fma(odds(p), o);
    }
    store(s, t, r, e.add(o).reduceLanes(VectorOperators.ADD));
  }

  @Override
  float weightAt(MemorySegment w, long index) {
    return VectorSupport.bf16At(w, index);
  }
}
