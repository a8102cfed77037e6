package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.sum;
import static dev.cairn.worker.backend.cpu.VectorSupport.xf;

import dev.cairn.worker.backend.QuantBlocks;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Register-tiled {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ} for Q4_0 weights and F32
 * activations. Each load of packed bytes yields two float vectors, its low nibbles (weights {@code
 * j}) and its high nibbles (weights {@code 16 + j}), so the activations are read at two places per
 * load. Scales are applied as in {@link Q8Matmul}: once per block in decode, multiplied into the
 * widened weights (exactly) in the 4×2 tile. The layout is {@link BlockQuantMatmul}'s, the blocking
 * {@link TiledMatmul}'s.
 */
final class Q4Matmul extends BlockQuantMatmul {

  static final Q4Matmul TILES = new Q4Matmul();

  /** Packed loads per block: its 16 bytes in vectors of L bytes. */
  private static final int LOADS = QuantBlocks.BLOCK / 2 / L;

  private static final long BLOCK_BYTES = 18;

  /** Byte distance from a low-nibble weight's activation to its high-nibble partner's. */
  private static final long X_HIGH = QuantBlocks.BLOCK / 2 * (long) Float.BYTES;

  private Q4Matmul() {}

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
      for (int p = 0; p < 2 * LOADS; p++) {
        // p < LOADS: low nibbles of load p; then the high nibbles of load p - LOADS
        boolean high = p >= LOADS;
        long off = SCALE_BYTES + (long) (p % LOADS) * L;
        IntVector q0 = QuantLoads.packed(w, b0 + off);
        IntVector q1 = QuantLoads.packed(w, b1 + off);
        FloatVector v0 = (high ? QuantLoads.high(q0) : QuantLoads.low(q0)).mul(d0);
        FloatVector v1 = (high ? QuantLoads.high(q1) : QuantLoads.low(q1)).mul(d1);
        long xk = x0 + b * X_BLOCK + p * X_CHUNK;
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
    FloatVector zero = FloatVector.zero(F);
    FloatVector acc = zero;
    for (long b = 0; b < blocks; b++) {
      long base = w0 + b * BLOCK_BYTES;
      FloatVector dot = zero;
      for (int p = 0; p < LOADS; p++) {
        IntVector q = QuantLoads.packed(w, base + SCALE_BYTES + (long) p * L);
        long xp = x0 + b * X_BLOCK + p * X_CHUNK;
        dot = xf(x, xp).fma(QuantLoads.low(q), dot);
        dot = xf(x, xp + X_HIGH).fma(QuantLoads.high(q), dot);
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

  /**
   * Outputs {@code (0, ra)} and {@code (0, rb)}, in one pass over their blocks. A block's loads
   * stay in one loop started from zero, as in {@link #tile1x1}: with the first load peeled out, an
   * 8-lane CPU (AVX2: two loads a block) parsed both halves and ran past C2's inlining budget, its
   * conversions fell back to allocating Java code, and Q4_0 decode ran at 3.3–3.9 GFMA/s instead of
   * 21–24 (4863 × 896, two threads). On 16 lanes the loop runs once and costs nothing.
   */
  private void decodePair(Operands s, int ra, int rb) {
    MemorySegment w = s.w();
    MemorySegment x = s.x();
    long blocks = blocks(s);
    long rowBytes = rowBytes(s, BLOCK_BYTES);
    long wa = ra * rowBytes;
    long wb = rb * rowBytes;
    FloatVector zero = FloatVector.zero(F);
    FloatVector accA = zero;
    FloatVector accB = zero;
    for (long b = 0; b < blocks; b++) {
      long ba = wa + b * BLOCK_BYTES;
      long bb = wb + b * BLOCK_BYTES;
      FloatVector dotA = zero;
      FloatVector dotB = zero;
      for (int p = 0; p < LOADS; p++) {
        long off = SCALE_BYTES + (long) p * L;
        IntVector qa = QuantLoads.packed(w, ba + off);
        IntVector qb = QuantLoads.packed(w, bb + off);
        long xp = b * X_BLOCK + p * X_CHUNK;
        FloatVector xl = xf(x, xp);
        FloatVector xh = xf(x, xp + X_HIGH);
        dotA = xl.fma(QuantLoads.low(qa), dotA);
        dotB = xl.fma(QuantLoads.low(qb), dotB);
        dotA = xh.fma(QuantLoads.high(qa), dotA);
        dotB = xh.fma(QuantLoads.high(qb), dotB);
      }
      accA = dotA.fma(FloatVector.broadcast(F, QuantBlocks.scale(w, ba)), accA);
      accB = dotB.fma(FloatVector.broadcast(F, QuantBlocks.scale(w, bb)), accB);
    }
    store(s, 0, ra, sum(accA));
    store(s, 0, rb, sum(accB));
  }

  @Override
  float weightAt(MemorySegment w, long index) {
    return QuantBlocks.q4At(w, index);
  }
}
