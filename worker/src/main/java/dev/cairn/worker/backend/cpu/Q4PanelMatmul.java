package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ (+ bias)} for Q4_0 weights in {@link
 * QuantPanelWeight} panels, for decode and steps of a few tokens ({@link Q8PanelMatmul}'s tiles for
 * four-bit codes). One 16-byte load holds 16 rows' code byte {@code j}: its low nibbles are column
 * {@code j}, its high nibbles column {@code j + 16}. The batched tiles walk a block's 32 columns in
 * order, each from its byte shifted by 0 or 4 and masked, made the weight with one multiply-add,
 * {@code code · d − 8d} (exact: both products fit a float, so the one rounding leaves {@code (code
 * − 8) · d}); column {@code j + 16} loads byte {@code j} again, from L1. A batched body taking both
 * nibbles of a load had C2 stop inlining the vector operations (NodeCountInliningCutoff: 3–4
 * GFMA/s). Every output of the batched tiles adds its products in column order in one lane, so
 * their rows equal each other's bit for bit. The decode tile, as {@link Q8PanelMatmul}'s, adds each
 * block in two chains of unscaled codes minus 8 (here the low and the high nibbles, both from one
 * load: with no scale multiply-add a column, the body fits the budget), then {@code A = (low +
 * high) · d + A}: one core decoded 28.5 against 20.4 GFMA/s in cache, 19.3–30.9 against 11.7–21.8
 * from memory. A row decoded alone equals the same row in a larger step within float rounding, not
 * bit for bit; as in {@link Q8PanelMatmul}, a last two or three tokens run as a padded four-token
 * tile. Against the GGUF-row kernels ({@link Q4Matmul}, {@link QuantSlabMatmul} on rows), 4864 ×
 * 896 Q4_0 matmuls on two threads ran at 119–125 against 34–37 GFMA/s for 8 tokens and 124–129
 * against 69–75 for 16.
 */
final class Q4PanelMatmul {

  private static final int L = F.length();
  private static final int ROWS = QuantPanelWeight.ROWS;
  private static final long BLOCK_BYTES = QuantPanelWeight.blockBytes(DType.Q4_0);
  private static final long CODES = QuantPanelWeight.CODES;

  /** Code bytes a block: byte j packs columns j and j + 16. */
  private static final int SLOTS = 16;

  private static final int EIGHT = 8;

  /** Per compute thread, one {@link #tile8}'s outputs before they are stored. */
  private static final ThreadLocal<float[]> TILE =
      ThreadLocal.withInitial(() -> new float[2 * EIGHT * L]);

  private Q4PanelMatmul() {}

  /**
   * Output rows {@code [r0, r1)} for all {@code tokens}; {@code x} is {@link TileActivations#copy}
   * of the activations (without the four-token tile: that one reads rows), which every tile reads
   * (read through {@link MemorySegment}, the decode tile's activation loads inlined so many nodes
   * that C2 gave up inlining its scale loads: 3 GFMA/s). A panel cut by the range is computed whole
   * and only its rows in range are written.
   *
   * <p>The four-token tile stays on rows: in tile order it ran no faster (one core in cache, 4864 ×
   * 896: 39–57 against 35–55 GFMA/s, one build's runs split between 33–39 and 55).
   */
  static void multiply(
      QuantPanelWeight w,
      float[] x,
      MemorySegment bias,
      int tokens,
      MemorySegment out,
      int r0,
      int r1) {
    float[] tile = TILE.get();
    int outDim = w.rows();
    for (int p = r0 / ROWS; p * ROWS < r1; p++) {
      int lo = Math.max(r0, p * ROWS);
      int hi = Math.min(r1, p * ROWS + ROWS);
      int t = 0;
      for (; t + EIGHT <= tokens; t += EIGHT) {
        tile8(w, x, t, p, tile);
        PanelStores.tile(outDim, bias, out, t, EIGHT, p * ROWS, lo, hi, tile);
      }
      for (; t + 4 <= tokens; t += 4) {
        tile4(w, x, t, p, tile);
        PanelStores.tile(outDim, bias, out, t, 4, p * ROWS, lo, hi, tile);
      }
      if (tokens - t >= 2) {
        // two or three left: one four-token tile over TileActivations' zero padding
        tile4(w, x, t, p, tile);
        PanelStores.tile(outDim, bias, out, t, tokens - t, p * ROWS, lo, hi, tile);
      } else if (t < tokens) {
        tile1(w, x, t, p, tile);
        PanelStores.tile(outDim, bias, out, t, 1, p * ROWS, lo, hi, tile);
      }
    }
  }

  /**
   * Token {@code t} × panel {@code p}: the decode tile, four chains (the panel's two halves × a
   * block's low and high nibbles, columns j and j + 16 from one load) of unscaled codes minus 8,
   * each block's sums scaled once into two more.
   */
  private static void tile1(QuantPanelWeight w, float[] x, int t, int p, float[] tile) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    long bo = w.panelOffset(p);
    int k = t * w.in();
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero;
    FloatVector a1 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES, k += 2 * SLOTS) {
      FloatVector l0 = zero, l1 = zero, h0 = zero, h1 = zero;
      long o = bo + CODES;
      for (int j = 0; j < SLOTS; j++, o += ROWS) {
        IntVector p0 = QuantLoads.packed(pw, o);
        IntVector p1 = QuantLoads.packed(pw, o + L);
        FloatVector xl = FloatVector.broadcast(F, x[k + j]);
        FloatVector xh = FloatVector.broadcast(F, x[k + SLOTS + j]);
        l0 = QuantLoads.low(p0).fma(xl, l0);
        l1 = QuantLoads.low(p1).fma(xl, l1);
        h0 = QuantLoads.high(p0).fma(xh, h0);
        h1 = QuantLoads.high(p1).fma(xh, h1);
      }
      a0 = l0.add(h0).fma(QuantLoads.f16(pw, bo), a0);
      a1 = l1.add(h1).fma(QuantLoads.f16(pw, bo + 2L * L), a1);
    }
    a0.intoArray(tile, 0);
    a1.intoArray(tile, L);
  }

  /** Tokens {@code [t, t+4)} × panel {@code p}: eight chains. */
  private static void tile4(QuantPanelWeight w, float[] x, int t, int p, float[] tile) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    int in = w.in();
    long bo = w.panelOffset(p);
    int k = t * in;
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES) {
      FloatVector d0 = QuantLoads.f16(pw, bo);
      FloatVector d1 = QuantLoads.f16(pw, bo + 2L * L);
      FloatVector m0 = d0.mul(-8f);
      FloatVector m1 = d1.mul(-8f);
      for (int c = 0; c < 2 * SLOTS; c++, k++) {
        long o = bo + CODES + (long) (c & (SLOTS - 1)) * ROWS;
        int shift = c >> 4 << 2;
        FloatVector e0 = QuantLoads.nibbles(pw, o, shift).fma(d0, m0);
        FloatVector e1 = QuantLoads.nibbles(pw, o + L, shift).fma(d1, m1);
        FloatVector xv = FloatVector.broadcast(F, x[k]);
        a00 = e0.fma(xv, a00);
        a01 = e1.fma(xv, a01);
        xv = FloatVector.broadcast(F, x[k + in]);
        a10 = e0.fma(xv, a10);
        a11 = e1.fma(xv, a11);
        xv = FloatVector.broadcast(F, x[k + 2 * in]);
        a20 = e0.fma(xv, a20);
        a21 = e1.fma(xv, a21);
        xv = FloatVector.broadcast(F, x[k + 3 * in]);
        a30 = e0.fma(xv, a30);
        a31 = e1.fma(xv, a31);
      }
    }
    a00.intoArray(tile, 0);
    a01.intoArray(tile, L);
    a10.intoArray(tile, 2 * L);
    a11.intoArray(tile, 3 * L);
    a20.intoArray(tile, 4 * L);
    a21.intoArray(tile, 5 * L);
    a30.intoArray(tile, 6 * L);
    a31.intoArray(tile, 7 * L);
  }

  /**
   * Tokens {@code [t, t+8)} × panel {@code p} into {@code tile}, activations from {@code x} in
   * {@link TileActivations} order: sixteen chains, each widened weight pair serving eight tokens.
   */
  private static void tile8(QuantPanelWeight w, float[] x, int t, int p, float[] tile) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    int in = w.in();
    int k = t * in;
    long bo = w.panelOffset(p);
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    FloatVector a40 = zero, a41 = zero, a50 = zero, a51 = zero;
    FloatVector a60 = zero, a61 = zero, a70 = zero, a71 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES) {
      FloatVector d0 = QuantLoads.f16(pw, bo);
      FloatVector d1 = QuantLoads.f16(pw, bo + 2L * L);
      FloatVector m0 = d0.mul(-8f);
      FloatVector m1 = d1.mul(-8f);
      for (int c = 0; c < 2 * SLOTS; c++, k += EIGHT) {
        long o = bo + CODES + (long) (c & (SLOTS - 1)) * ROWS;
        int shift = c >> 4 << 2;
        FloatVector e0 = QuantLoads.nibbles(pw, o, shift).fma(d0, m0);
        FloatVector e1 = QuantLoads.nibbles(pw, o + L, shift).fma(d1, m1);
        FloatVector xv = FloatVector.broadcast(F, x[k]);
        a00 = e0.fma(xv, a00);
        a01 = e1.fma(xv, a01);
        xv = FloatVector.broadcast(F, x[k + 1]);
        a10 = e0.fma(xv, a10);
        a11 = e1.fma(xv, a11);
        xv = FloatVector.broadcast(F, x[k + 2]);
        a20 = e0.fma(xv, a20);
        a21 = e1.fma(xv, a21);
        xv = FloatVector.broadcast(F, x[k + 3]);
        a30 = e0.fma(xv, a30);
        a31 = e1.fma(xv, a31);
        xv = FloatVector.broadcast(F, x[k + 4]);
        a40 = e0.fma(xv, a40);
        a41 = e1.fma(xv, a41);
        xv = FloatVector.broadcast(F, x[k + 5]);
        a50 = e0.fma(xv, a50);
        a51 = e1.fma(xv, a51);
        xv = FloatVector.broadcast(F, x[k + 6]);
        a60 = e0.fma(xv, a60);
        a61 = e1.fma(xv, a61);
        xv = FloatVector.broadcast(F, x[k + 7]);
        a70 = e0.fma(xv, a70);
        a71 = e1.fma(xv, a71);
      }
    }
    a00.intoArray(tile, 0);
    a01.intoArray(tile, L);
    a10.intoArray(tile, 2 * L);
    a11.intoArray(tile, 3 * L);
    a20.intoArray(tile, 4 * L);
    a21.intoArray(tile, 5 * L);
    a30.intoArray(tile, 6 * L);
    a31.intoArray(tile, 7 * L);
    a40.intoArray(tile, 8 * L);
    a41.intoArray(tile, 9 * L);
    a50.intoArray(tile, 10 * L);
    a51.intoArray(tile, 11 * L);
    a60.intoArray(tile, 12 * L);
    a61.intoArray(tile, 13 * L);
    a70.intoArray(tile, 14 * L);
    a71.intoArray(tile, 15 * L);
  }
}
