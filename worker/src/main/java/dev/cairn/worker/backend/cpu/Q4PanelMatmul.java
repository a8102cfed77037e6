package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.QuantBlocks;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ (+ bias)} for Q4_0 weights in {@link
 * QuantPanelWeight} panels, for decode and steps of a few tokens ({@link Q8PanelMatmul}'s tiles for
 * four-bit codes; on 8 lanes a panel is two tiles of 16 rows, as there). One load of a vector's
 * lanes in bytes holds as many rows' code byte {@code j}: its low nibbles are column {@code j}, its
 * high nibbles column {@code j + 16}. The batched tiles walk a block's 32 columns in order, each
 * from its byte shifted by 0 or 4 and masked, made the weight with one multiply-add, {@code code ·
 * d − 8d} (exact: both products fit a float, so the one rounding leaves {@code (code − 8) · d});
 * column {@code j + 16} loads byte {@code j} again, from L1. A batched body taking both nibbles of
 * a load had C2 stop inlining the vector operations (NodeCountInliningCutoff: 3–4 GFMA/s). Every
 * output of the batched tiles adds its products in column order in one lane, so their rows equal
 * each other's bit for bit. The decode tiles add each block's low and high nibbles in chains of
 * their own as codes 0–15, loaded zero-extended (the high nibble one shift, with no mask, and no
 * offset taken from either), and take Q4_0's offset once a block: {@code A = (low + high − 8·Σx) ·
 * d + A}, {@code −8·Σx} summed once a matmul ({@link #activations}). With codes minus 8 in every
 * lane one AVX-512 core decoded 33.4–34.0 GFMA/s in cache, now 36.7–37.0; on 8 lanes ({@link
 * #tile1Quad}) the saved operations are what let a whole panel's four row vectors fit C2's budget.
 * A row decoded alone equals the same row in a larger step within float rounding, not bit for bit;
 * as in {@link Q8PanelMatmul}, a last two or three tokens run as a padded four-token tile. Against
 * the GGUF-row kernels ({@link Q4Matmul}, {@link QuantSlabMatmul} on rows), 4864 × 896 Q4_0 matmuls
 * on two threads ran at 119–125 against 34–37 GFMA/s for 8 tokens and 124–129 against 69–75 for 16.
 */
final class Q4PanelMatmul {

  private static final int L = F.length();
  private static final int ROWS = QuantPanelWeight.ROWS;

  /** Rows of one tile, two vectors: a whole panel on 16 lanes, half of one on 8. */
  private static final int GROUP = 2 * L;

  private static final long BLOCK_BYTES = QuantPanelWeight.blockBytes(DType.Q4_0);
  private static final long CODES = QuantPanelWeight.CODES;

  /** Code bytes a block: byte j packs columns j and j + 16. */
  private static final int SLOTS = 16;

  private static final int EIGHT = 8;

  /** Per compute thread, a panel's scales of one block as floats ({@link #tile1Quad}). */
  private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[ROWS]);

  /** Per compute thread, one {@link #tile8}'s outputs before they are stored. */
  private static final ThreadLocal<float[]> TILE =
      ThreadLocal.withInitial(() -> new float[2 * EIGHT * L]);

  private Q4PanelMatmul() {}

  /**
   * {@code x[tokens, in]} as {@link #multiply} reads it: {@link TileActivations#copy} (without the
   * four-token tile order), then, when a last token runs the decode tile, that token's offset of
   * each block, {@code −8 · Σx} over its 32 activations. Summed once a matmul in each thread, not
   * once a panel beside the decode tile's vector work (a chain of scalar adds in its column loop):
   * one AVX-512 core decoding 512 × 896 in cache ran 39.3–41.3 against 34.9–36.7 GFMA/s, on 8 lanes
   * 18.0–18.4 against 16.9–17.8 (docs/cpu-engine-performance.md, "Q4_0's offsets once a matmul").
   */
  static float[] activations(MemorySegment x, int tokens, int in) {
    int blocks = in / QuantBlocks.BLOCK;
    boolean decoded = tokens % 4 == 1;
    float[] a = TileActivations.copy(x, tokens, in, false, decoded ? blocks : 0);
    if (decoded) {
      int from = TileActivations.padded(tokens) * in;
      for (int b = 0, k = (tokens - 1) * in; b < blocks; b++) {
        float s = 0f;
        for (int j = 0; j < QuantBlocks.BLOCK; j++, k++) {
          s += a[k];
        }
        a[from + b] = -8f * s;
      }
    }
    return a;
  }

  /**
   * Output rows {@code [r0, r1)} for all {@code tokens}; {@code x} is {@link #activations} (without
   * the four-token tile order: that tile reads rows), which every tile reads (read through {@link
   * MemorySegment}, the decode tile's activation loads inlined so many nodes that C2 gave up
   * inlining its scale loads: 3 GFMA/s). A panel cut by the range is computed whole and only its
   * rows in range are written.
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
    // a last single token runs the decode tile; two or three, a padded four-token tile
    int tiled = tokens % 4 == 1 ? tokens - 1 : tokens;
    // six or seven left past the eights: one eight-token tile over the copy's zero padding
    int eights = TileActivations.eightsEnd(tiled);
    float[] scales = GROUP < ROWS && tiled < tokens ? SCALES.get() : null;
    int offsets = TileActivations.padded(tokens) * w.in();
    for (int p = r0 / ROWS; p * ROWS < r1; p++) {
      for (int g = 0; g < ROWS; g += GROUP) {
        int row = p * ROWS + g;
        int lo = Math.max(r0, row);
        int hi = Math.min(r1, row + GROUP);
        if (lo >= hi) {
          continue; // an 8-lane range may start or end between a panel's two tiles of rows
        }
        int t = 0;
        for (; t < eights; t += EIGHT) {
          tile8(w, x, t, p, tile);
          PanelStores.tile(outDim, bias, out, t, Math.min(EIGHT, tiled - t), row, lo, hi, tile);
        }
        for (; t + 4 <= tiled; t += 4) {
          tile4(w, x, t, p, g, tile);
          PanelStores.tile(outDim, bias, out, t, 4, row, lo, hi, tile);
        }
        if (t < tiled) {
          // two or three left: one four-token tile over TileActivations' zero padding
          tile4(w, x, t, p, g, tile);
          PanelStores.tile(outDim, bias, out, t, tiled - t, row, lo, hi, tile);
        }
      }
      if (tiled < tokens) {
        if (GROUP == ROWS) {
          tile1(w, x, offsets, tiled, p, tile);
        } else {
          tile1Quad(w, x, offsets, tiled, p, tile, scales);
        }
        PanelStores.token(outDim, bias, out, tiled, p * ROWS, ROWS, r0, r1, tile);
      }
    }
  }

  /**
   * Token {@code t} × panel {@code p}: the decode tile, four chains (the panel's two halves × a
   * block's low and high nibbles, columns j and j + 16 from one load) of codes 0–15, each block's
   * sums less its offset ({@code x[offs + b]}) scaled once into two more.
   */
  private static void tile1(QuantPanelWeight w, float[] x, int offs, int t, int p, float[] tile) {
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
        IntVector p0 = QuantLoads.packedUnsigned(pw, o);
        IntVector p1 = QuantLoads.packedUnsigned(pw, o + L);
        FloatVector xl = FloatVector.broadcast(F, x[k + j]);
        FloatVector xh = FloatVector.broadcast(F, x[k + SLOTS + j]);
        l0 = QuantLoads.lowCode(p0).fma(xl, l0);
        l1 = QuantLoads.lowCode(p1).fma(xl, l1);
        h0 = QuantLoads.highCode(p0).fma(xh, h0);
        h1 = QuantLoads.highCode(p1).fma(xh, h1);
      }
      float off = x[offs + b];
      a0 = l0.add(h0).add(off).fma(QuantLoads.f16(pw, bo), a0);
      a1 = l1.add(h1).add(off).fma(QuantLoads.f16(pw, bo + 2L * L), a1);
    }
    a0.intoArray(tile, 0);
    a1.intoArray(tile, L);
  }

  /**
   * Token {@code t} × panel {@code p} on 8 lanes, where a panel is four row vectors: all four at
   * once, eight chains (four row vectors × low and high nibbles), each block's sums less its offset
   * scaled once into four more; outputs at {@code tile[0, 32)}, the scales through {@code scales},
   * this thread's array, as {@link Q8PanelMatmul}'s quad tile takes them. One core in cache, 4864 ×
   * 896 ({@code -XX:UseAVX=2}): 17.8–18.0 GFMA/s against 13.1–13.4 for the GGUF-row pairs ({@link
   * Q4Matmul}); over two row vectors at a time (four chains) it had run 10.7–11.3, and over four
   * with sign-extended codes minus 8 (the scales through the same array) it ran past C2's node
   * budget and boxed its vectors: 3.3–3.5.
   */
  private static void tile1Quad(
      QuantPanelWeight w, float[] x, int offs, int t, int p, float[] tile, float[] scales) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    long bo = w.panelOffset(p);
    int k = t * w.in();
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES, k += 2 * SLOTS) {
      FloatVector l0 = zero, l1 = zero, l2 = zero, l3 = zero;
      FloatVector h0 = zero, h1 = zero, h2 = zero, h3 = zero;
      long o = bo + CODES;
      for (int j = 0; j < SLOTS; j++, o += ROWS) {
        float fl = x[k + j];
        float fh = x[k + SLOTS + j];
        FloatVector xl = FloatVector.broadcast(F, fl);
        FloatVector xh = FloatVector.broadcast(F, fh);
        IntVector p0 = QuantLoads.packedUnsigned(pw, o);
        l0 = QuantLoads.lowCode(p0).fma(xl, l0);
        h0 = QuantLoads.highCode(p0).fma(xh, h0);
        IntVector p1 = QuantLoads.packedUnsigned(pw, o + L);
        l1 = QuantLoads.lowCode(p1).fma(xl, l1);
        h1 = QuantLoads.highCode(p1).fma(xh, h1);
        IntVector p2 = QuantLoads.packedUnsigned(pw, o + 2 * L);
        l2 = QuantLoads.lowCode(p2).fma(xl, l2);
        h2 = QuantLoads.highCode(p2).fma(xh, h2);
        IntVector p3 = QuantLoads.packedUnsigned(pw, o + 3 * L);
        l3 = QuantLoads.lowCode(p3).fma(xl, l3);
        h3 = QuantLoads.highCode(p3).fma(xh, h3);
      }
      float off = x[offs + b];
      QuantLoads.f16Into(pw, bo, ROWS, scales);
      a0 = l0.add(h0).add(off).fma(FloatVector.fromArray(F, scales, 0), a0);
      a1 = l1.add(h1).add(off).fma(FloatVector.fromArray(F, scales, L), a1);
      a2 = l2.add(h2).add(off).fma(FloatVector.fromArray(F, scales, 2 * L), a2);
      a3 = l3.add(h3).add(off).fma(FloatVector.fromArray(F, scales, 3 * L), a3);
    }
    a0.intoArray(tile, 0);
    a1.intoArray(tile, L);
    a2.intoArray(tile, 2 * L);
    a3.intoArray(tile, 3 * L);
  }

  /** Tokens {@code [t, t+4)} × panel {@code p}: eight chains. */
  private static void tile4(QuantPanelWeight w, float[] x, int t, int p, int g, float[] tile) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    int in = w.in();
    long bo = w.panelOffset(p);
    int k = t * in;
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES) {
      FloatVector d0 = QuantLoads.f16(pw, bo + 2L * g);
      FloatVector d1 = QuantLoads.f16(pw, bo + 2L * (g + L));
      FloatVector m0 = d0.mul(-8f);
      FloatVector m1 = d1.mul(-8f);
      for (int c = 0; c < 2 * SLOTS; c++, k++) {
        long o = bo + CODES + g + (long) (c & (SLOTS - 1)) * ROWS;
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
