package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.sum;
import static dev.cairn.worker.backend.cpu.VectorSupport.xf;

import dev.cairn.worker.backend.QuantBlocks;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Register-tiled {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ} for Q8_0 weights and F32
 * activations. A block's signed bytes are widened to float lanes in registers ({@link
 * QuantLoads#q8}). Decode sums each block's products first and applies the block's scale once (one
 * multiply-add per block); the 4×2 tile multiplies the scale into the widened weights, which is
 * exact (an int8 times an F16 fits a float's mantissa), then reuses each weight vector for four
 * tokens. The layout is {@link BlockQuantMatmul}'s, the blocking {@link TiledMatmul}'s.
 */
final class Q8Matmul extends BlockQuantMatmul {

  static final Q8Matmul TILES = new Q8Matmul();

  private static final int CHUNKS = QuantBlocks.BLOCK / L;
  private static final long BLOCK_BYTES = 34;

  private Q8Matmul() {}

  @Override
  void tile4x2(Operands s, int t, int r) {
    MemorySegment w = s.w();
    MemorySegment x = s.x();
    long blocks = blocks(s);
    long rowBytes = rowBytes(s, BLOCK_BYTES);
    long w0 = r * rowBytes;
    long w1 = w0 + rowBytes;
    long rowX = xRowBytes(s);
    long x0 = t * rowX;
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    for (long b = 0; b < blocks; b++) {
      long b0 = w0 + b * BLOCK_BYTES;
      long b1 = w1 + b * BLOCK_BYTES;
      FloatVector d0 = FloatVector.broadcast(F, QuantBlocks.scale(w, b0));
      FloatVector d1 = FloatVector.broadcast(F, QuantBlocks.scale(w, b1));
      for (int c = 0; c < CHUNKS; c++) {
        FloatVector v0 = QuantLoads.q8(w, b0 + SCALE_BYTES + (long) c * L).mul(d0);
        FloatVector v1 = QuantLoads.q8(w, b1 + SCALE_BYTES + (long) c * L).mul(d1);
        long xk = x0 + b * X_BLOCK + c * X_CHUNK;
        FloatVector xv = xf(x, xk);
        a00 = xv.fma(v0, a00);
        a01 = xv.fma(v1, a01);
        xv = xf(x, xk + rowX);
        a10 = xv.fma(v0, a10);
        a11 = xv.fma(v1, a11);
        xv = xf(x, xk + 2 * rowX);
        a20 = xv.fma(v0, a20);
        a21 = xv.fma(v1, a21);
        xv = xf(x, xk + 3 * rowX);
        a30 = xv.fma(v0, a30);
        a31 = xv.fma(v1, a31);
      }
    }
    store4x2(
        s, t, r, sum(a00), sum(a01), sum(a10), sum(a11), sum(a20), sum(a21), sum(a30), sum(a31));
  }

  /** One output, walking the row's blocks in order: also the decode kernel. */
  @Override
  void tile1x1(Operands s, int t, int r) {
    MemorySegment w = s.w();
    MemorySegment x = s.x();
    long blocks = blocks(s);
    long w0 = r * rowBytes(s, BLOCK_BYTES);
    long x0 = t * xRowBytes(s);
    FloatVector acc = FloatVector.zero(F);
    for (long b = 0; b < blocks; b++) {
      long base = w0 + b * BLOCK_BYTES;
      long xb = x0 + b * X_BLOCK;
      FloatVector dot = xf(x, xb).mul(QuantLoads.q8(w, base + SCALE_BYTES));
      for (int c = 1; c < CHUNKS; c++) {
        dot = xf(x, xb + c * X_CHUNK).fma(QuantLoads.q8(w, base + SCALE_BYTES + (long) c * L), dot);
      }
      acc = dot.fma(FloatVector.broadcast(F, QuantBlocks.scale(w, base)), acc);
    }
    store(s, t, r, sum(acc));
  }

  /**
   * One token's rows {@code [r0, r1)} as two streams ({@link #firstStream}): row {@code r0 + i}
   * beside row {@code r0 + first + i}, each with {@link #tile1x1}'s arithmetic, so its output is
   * the same bit for bit.
   */
  @Override
  void decode(Operands s, int r0, int r1) {
    int first = firstStream(r0, r1);
    for (int ra = r0, rb = r0 + first; rb < r1; ra++, rb++) {
      decodePair(s, ra, rb);
    }
    if ((r1 - r0) % 2 == 1) {
      tile1x1(s, 0, r0 + first - 1);
    }
  }

  /** Outputs {@code (0, ra)} and {@code (0, rb)}, in one pass over their blocks. */
  private void decodePair(Operands s, int ra, int rb) {
    MemorySegment w = s.w();
    MemorySegment x = s.x();
    long blocks = blocks(s);
    long rowBytes = rowBytes(s, BLOCK_BYTES);
    long wa = ra * rowBytes;
    long wb = rb * rowBytes;
    FloatVector accA = FloatVector.zero(F);
    FloatVector accB = FloatVector.zero(F);
    for (long b = 0; b < blocks; b++) {
      long ba = wa + b * BLOCK_BYTES;
      long bb = wb + b * BLOCK_BYTES;
      long xb = b * X_BLOCK;
      FloatVector xv = xf(x, xb);
      FloatVector dotA = xv.mul(QuantLoads.q8(w, ba + SCALE_BYTES));
      FloatVector dotB = xv.mul(QuantLoads.q8(w, bb + SCALE_BYTES));
      for (int c = 1; c < CHUNKS; c++) {
        xv = xf(x, xb + c * X_CHUNK);
        dotA = xv.fma(QuantLoads.q8(w, ba + SCALE_BYTES + (long) c * L), dotA);
        dotB = xv.fma(QuantLoads.q8(w, bb + SCALE_BYTES + (long) c * L), dotB);
      }
      accA = dotA.fma(FloatVector.broadcast(F, QuantBlocks.scale(w, ba)), accA);
      accB = dotB.fma(FloatVector.broadcast(F, QuantBlocks.scale(w, bb)), accB);
    }
    store(s, 0, ra, sum(accA));
    store(s, 0, rb, sum(accB));
  }

  @Override
  float weightAt(MemorySegment w, long index) {
    return QuantBlocks.q8At(w, index);
  }
}
