package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.QuantBlocks;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ (+ bias)} for Q8_0 weights in {@link
 * QuantPanelWeight} panels, for decode and steps of a few tokens (from {@link
 * QuantPanelWeight#maxTileTokens} on, the widened slabs of {@link QuantSlabMatmul} are faster; on 8
 * lanes, every step). Each column's 32 codes are widened to two float vectors in registers (a tile
 * of a panel's rows; on 8 lanes a panel is two such tiles) and multiply-added with each token's
 * activation broadcast, so no lane is ever summed across the vector and a widened weight serves
 * every token of a tile. Against the slab kernel on GGUF rows (a broadcast load per multiply-add),
 * a 16-token 4864 × 896 matmul from memory on two threads ran at 80–112 against 54–61 GFMA/s.
 *
 * <p>Two orders of addition. The batched tiles (four and eight tokens) scale each code by its
 * block's F16 scale and add every output's products in column order in one chain (the slab kernel's
 * order), so their rows equal each other's bit for bit. The decode tile adds each block's even and
 * odd columns in two chains of unscaled codes, then {@code A = (even + odd) · d + A}: with one
 * chain an output it was bound by the chain's latency (a multiply-add every four cycles, 32 bytes a
 * column, two chains a panel: one core streamed 20–22 GFMA/s from memory where it reads 28 GB/s),
 * and keeping the batched tiles in its order cost them a fifth to a half of their speed
 * (docs/cpu-engine-performance.md, "Decode's chain latency"). So a row decoded alone (or a step's
 * one token past its four-token tiles) equals the same row in a larger step within float rounding,
 * not bit for bit. A last two or three tokens run as one four-token tile over {@link
 * TileActivations}' zero padding: a three-token step took half again to twice as long as a
 * four-token one through the decode tile (it is bound by its arithmetic, so each token is another
 * pass). Likewise a last six or seven past the eight-token tiles run as one more of those ({@link
 * TileActivations#eightsEnd}), not as a four-token tile and a padded one.
 */
final class Q8PanelMatmul {

  /** Tokens of {@link #tile8}. */
  private static final int EIGHT = 8;

  private static final int L = F.length();
  private static final int ROWS = QuantPanelWeight.ROWS;

  /** Rows of one tile, two vectors: a whole panel on 16 lanes, half of one on 8. */
  private static final int GROUP = 2 * L;

  private static final long BLOCK_BYTES = QuantPanelWeight.blockBytes(DType.Q8_0);
  private static final long CODES = QuantPanelWeight.CODES;

  /** Per compute thread, a panel's scales of one block as floats ({@link #tile1Quad}). */
  private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[ROWS]);

  /** Per compute thread, one {@link #tile8}'s outputs before they are stored. */
  private static final ThreadLocal<float[]> TILE =
      ThreadLocal.withInitial(() -> new float[2 * 8 * L]);

  private Q8PanelMatmul() {}

  /**
   * Output rows {@code [r0, r1)} for all {@code tokens}; {@code x} is {@link TileActivations#copy}
   * of the activations (with the four-token tile), which every tile reads. A panel cut by the range
   * is computed whole and only its rows in range are written.
   *
   * <p>The decode tile reads a heap array because of a JIT cliff: reading the activations through
   * {@link MemorySegment}, the tile was small enough (258 bytecodes) for C2 to inline into this
   * method once it turned hot after the batched tiles had been compiled (a server warmed by
   * batches, then serving one stream), and the combined method ran past C2's node budget
   * (NodeCountInliningCutoff): the code loads were left out of line, boxing every vector, and one
   * Q8_0 stream decoded at 3–10 tok/s instead of 50–60 until the JVM exited. Array reads cost far
   * fewer nodes; inlined by force, the tile still keeps its vector operations in line.
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
          tile8(w, x, t, p, g, tile);
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
          tile1(w, x, tiled, p, tile);
        } else {
          tile1Quad(w, x, tiled, p, tile, scales);
        }
        PanelStores.token(outDim, bias, out, tiled, p * ROWS, ROWS, r0, r1, tile);
      }
    }
  }

  /**
   * Token {@code t} × panel {@code p}: the decode tile, four chains (the panel's two halves × a
   * block's even and odd columns) of unscaled codes, each block's sums scaled once into two more.
   */
  private static void tile1(QuantPanelWeight w, float[] x, int t, int p, float[] tile) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    long bo = w.panelOffset(p);
    int k = t * w.in();
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero;
    FloatVector a1 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES) {
      FloatVector e0 = zero, e1 = zero, o0 = zero, o1 = zero;
      long o = bo + CODES;
      for (int c = 0; c < QuantBlocks.BLOCK; c += 2, o += 2 * ROWS, k += 2) {
        FloatVector xe = FloatVector.broadcast(F, x[k]);
        FloatVector xo = FloatVector.broadcast(F, x[k + 1]);
        e0 = QuantLoads.q8(pw, o).fma(xe, e0);
        e1 = QuantLoads.q8(pw, o + L).fma(xe, e1);
        o0 = QuantLoads.q8(pw, o + ROWS).fma(xo, o0);
        o1 = QuantLoads.q8(pw, o + ROWS + L).fma(xo, o1);
      }
      a0 = e0.add(o0).fma(QuantLoads.f16(pw, bo), a0);
      a1 = e1.add(o1).fma(QuantLoads.f16(pw, bo + 2L * L), a1);
    }
    a0.intoArray(tile, 0);
    a1.intoArray(tile, L);
  }

  /**
   * Token {@code t} × panel {@code p} on 8 lanes, where a panel is four row vectors: all four at
   * once, one chain each of unscaled codes in column order (four chains cover a multiply-add's
   * latency at the rate widening allows), each block's sums scaled once into four more; outputs at
   * {@code tile[0, 32)}. The scales come through {@code scales}, this thread's array ({@link
   * QuantLoads#f16Into}): four {@link QuantLoads#f16} calls ran past C2's inlining budget and the
   * last returned a boxed vector. One core in cache, 4864 × 896 ({@code -XX:UseAVX=2}): 17.5–22.7
   * GFMA/s against 13.8–16.0 for the GGUF-row pairs ({@link Q8Matmul}) and 15.1–15.5 with {@link
   * #tile1}'s even and odd chains (eight, beside the accumulators and broadcasts in AVX2's sixteen
   * registers); {@link #tile1}'s shape on each half apart decoded the 0.5B shape's projections in
   * 26.0 against 23.7 ms. A row decoded alone equals the same row in a larger step within float
   * rounding, as on 16 lanes.
   */
  private static void tile1Quad(
      QuantPanelWeight w, float[] x, int t, int p, float[] tile, float[] scales) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    long bo = w.panelOffset(p);
    int k = t * w.in();
    FloatVector zero = FloatVector.zero(F);
    FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES) {
      FloatVector e0 = zero, e1 = zero, e2 = zero, e3 = zero;
      long o = bo + CODES;
      for (int c = 0; c < QuantBlocks.BLOCK; c++, o += ROWS, k++) {
        FloatVector xe = FloatVector.broadcast(F, x[k]);
        e0 = QuantLoads.q8(pw, o).fma(xe, e0);
        e1 = QuantLoads.q8(pw, o + L).fma(xe, e1);
        e2 = QuantLoads.q8(pw, o + 2 * L).fma(xe, e2);
        e3 = QuantLoads.q8(pw, o + 3 * L).fma(xe, e3);
      }
      QuantLoads.f16Into(pw, bo, ROWS, scales);
      a0 = e0.fma(FloatVector.fromArray(F, scales, 0), a0);
      a1 = e1.fma(FloatVector.fromArray(F, scales, L), a1);
      a2 = e2.fma(FloatVector.fromArray(F, scales, 2 * L), a2);
      a3 = e3.fma(FloatVector.fromArray(F, scales, 3 * L), a3);
    }
    a0.intoArray(tile, 0);
    a1.intoArray(tile, L);
    a2.intoArray(tile, 2 * L);
    a3.intoArray(tile, 3 * L);
  }

  /**
   * Tokens {@code [t, t+4)} × panel {@code p}: eight chains, activations from {@code x} in {@link
   * TileActivations} order.
   */
  private static void tile4(QuantPanelWeight w, float[] x, int t, int p, int g, float[] tile) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    long bo = w.panelOffset(p);
    int k = t * w.in();
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES) {
      FloatVector d0 = QuantLoads.f16(pw, bo + 2L * g);
      FloatVector d1 = QuantLoads.f16(pw, bo + 2L * (g + L));
      long o = bo + CODES + g;
      for (int c = 0; c < QuantBlocks.BLOCK; c++, o += ROWS, k += 4) {
        FloatVector e0 = QuantLoads.q8(pw, o).mul(d0);
        FloatVector e1 = QuantLoads.q8(pw, o + L).mul(d1);
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
   * {@link TileActivations} order: sixteen chains, each widened weight pair serving eight tokens
   * (read through {@link MemorySegment}, a body this size hit C2's inlining cutoff in {@link
   * Bf16PanelMatmul}).
   */
  private static void tile8(QuantPanelWeight w, float[] x, int t, int p, int g, float[] tile) {
    MemorySegment pw = w.panels();
    int blocks = w.blocks();
    int in = w.in();
    int x0 = t * in;
    long bo = w.panelOffset(p);
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    FloatVector a40 = zero, a41 = zero, a50 = zero, a51 = zero;
    FloatVector a60 = zero, a61 = zero, a70 = zero, a71 = zero;
    for (int b = 0; b < blocks; b++, bo += BLOCK_BYTES) {
      FloatVector d0 = QuantLoads.f16(pw, bo + 2L * g);
      FloatVector d1 = QuantLoads.f16(pw, bo + 2L * (g + L));
      FloatVector u0 = QuantLoads.unbias(d0);
      FloatVector u1 = QuantLoads.unbias(d1);
      long o = bo + CODES + g;
      int k = x0 + b * QuantBlocks.BLOCK * EIGHT;
      for (int c = 0; c < QuantBlocks.BLOCK; c++, o += ROWS, k += EIGHT) {
        FloatVector e0 = QuantLoads.q8Times(pw, o, d0, u0);
        FloatVector e1 = QuantLoads.q8Times(pw, o + L, d1, u1);
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
