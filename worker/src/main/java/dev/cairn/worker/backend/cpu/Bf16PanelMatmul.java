package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.I;
import static dev.cairn.worker.backend.cpu.VectorSupport.LE;
import static dev.cairn.worker.backend.cpu.VectorSupport.evens;
import static dev.cairn.worker.backend.cpu.VectorSupport.odds;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * {@code out[T, rows] = x[T, in] · W[rows, in]ᵀ (+ bias)} for BF16 weights in {@link PanelWeight}
 * panels. The outputs of a panel are two float vectors per token: each step loads a column pair of
 * the panel's rows (two vectors of pairs, widened by a shift and a mask), broadcasts each token's
 * two activations and multiply-adds them in. No lane ever needs summing across the vector, each
 * weight vector serves four tokens and each activation a whole panel, so batched steps run near the
 * FMA rate where row-by-row dot products (a horizontal sum per output, activations reloaded per
 * row) ran at about half of it; a decode step reads a panel as one contiguous stream. Every output
 * adds its products in column order in one lane whichever tile computes it, so a row of a batched
 * step equals the same row computed alone, bit for bit.
 */
final class Bf16PanelMatmul {

  private static final int L = F.length();
  private static final int ROWS = PanelWeight.ROWS;
  // Tokens per pass over the weights, whose activations the tiles stream from L3 or memory (the
  // prefetchers keep up: a tile reads them in order). Every pass reads each panel again, so fewer
  // passes pay: a fixed 32 tokens re-read a 4864 × 896 matrix four times in a 128-token prefill
  // (135–137 GFMA/s on two threads against 148–150 in one pass), and passes whose activations
  // fitted half of L2 (512 KB: 24 tokens of the down projection's 4,864 columns) ran its 896 × 4864
  // matrix at 140–144 against 147–152 with 4 MB at 128 tokens, and 154–169 against 172–181 with 2
  // or 16 MB at 512 (alternated in one process, weights from memory). 896-column matrices ran the
  // same either way, and at 2,048 tokens a single pass over 40 MB of activations was no slower
  // than 4 MB ones. A whole 512-token prefill of the 0.5B shape: 422–436 against 405–427 tok/s
  // (seven pairs).
  private static final int ACTIVATION_BLOCK_BYTES = 4 * 1024 * 1024;
  private static final long HALF = (long) L * Integer.BYTES;
  private static final long PAIR = 2 * HALF;
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  /** Fewest tokens worth {@link #tile6}, which reads the activations from a heap copy. */
  static final int SIX = 6;

  /**
   * Per compute thread, one {@link #tile8}'s or {@link #tile6}'s outputs before they are stored.
   */
  private static final ThreadLocal<float[]> TILE =
      ThreadLocal.withInitial(() -> new float[2 * 8 * L]);

  /** Per compute thread, its heap copy of the activations of the matmul in flight. */
  private static final ScratchFloats COPY = new ScratchFloats();

  private Bf16PanelMatmul() {}

  /**
   * Output rows {@code [r0, r1)} for all {@code tokens}; a panel cut by the range is computed whole
   * and only its rows in range are written, so ranges of different threads never share an output.
   * {@code xa} is {@link #heapCopy} of {@code x} where {@link #takesHeapCopy}, or null: four-token
   * and decode tiles only.
   */
  static void multiply(
      PanelWeight w,
      MemorySegment x,
      float[] xa,
      MemorySegment bias,
      int tokens,
      MemorySegment out,
      int r0,
      int r1) {
    int block = tokenBlock(w.in());
    float[] tile = TILE.get();
    for (int tb = 0; tb < tokens; tb += block) {
      int tEnd = Math.min(tokens, tb + block);
      for (int p = r0 / ROWS; p * ROWS < r1; p++) {
        int lo = Math.max(r0, p * ROWS);
        int hi = Math.min(r1, p * ROWS + ROWS);
        int t = tb;
        boolean heap = xa != null && w.in() % 2 == 0;
        if (heap && tEnd - tb >= SIX) {
          // The six- and eight-token tiles, reading a panel from memory themselves, ran at about
          // half their in-cache speed (ReadAhead says why): the panel is read into the caches
          // first. The four-token and decode tiles stream well enough on their own, and read
          // ahead they ran slower (docs/cpu-engine-performance.md, "Reading panels ahead").
          ReadAhead.touch(w.panels(), w.panelOffset(p), w.panelBytes());
        }
        int eights = heap ? eightTiles(tEnd - tb) : 0;
        for (int i = 0; i < eights; i++, t += 8) {
          tile8(w, xa, t, p, tile);
          PanelStores.tile(w.rows(), bias, out, t, 8, p * ROWS, lo, hi, tile);
        }
        int sixes = heap ? sixTiles(tEnd - t) : 0;
        for (int i = 0; i < sixes; i++, t += 6) {
          tile6(w, xa, t, p, tile);
          PanelStores.tile(w.rows(), bias, out, t, 6, p * ROWS, lo, hi, tile);
        }
        for (; t < tEnd - 1; t += 4) {
          // two or three left run as four, the missing tokens reading the last one's row again
          int n = Math.min(4, tEnd - t);
          tile4(w, x, t, n, p, tile);
          PanelStores.tile(w.rows(), bias, out, t, n, p * ROWS, lo, hi, tile);
        }
        if (t < tEnd) {
          tile1(w, x, t, p, tile);
          PanelStores.tile(w.rows(), bias, out, t, 1, p * ROWS, lo, hi, tile);
        }
      }
    }
  }

  /**
   * Whether {@link #multiply} runs the six- and eight-token tiles over a step of {@code tokens}
   * tokens, which read {@link #heapCopy}. They hold 12 and 16 accumulators beside two weight
   * vectors and a broadcast: AVX-512's 32 vector registers take them, AVX2's 16 do not, and on 8
   * lanes four-token tiles alone ran the 0.5B shape's projections in 0.75–0.99 of the time from 8
   * to 128 tokens ({@code step T 2 bf16} with {@code -XX:UseAVX=2}: 16 tokens 138–149 → 110–135 ms,
   * 128 tokens 970–1,079 → 767–854), where on 16 lanes they ran slower (16 tokens 62–71 against
   * 69–80 ms).
   */
  static boolean takesHeapCopy(int tokens) {
    return VectorSupport.WIDE_TILES && tokens >= SIX;
  }

  /**
   * {@code x[tokens, in]} copied to this thread's heap array, valid until its next call: what
   * {@link #multiply} takes as {@code xa} where {@link #takesHeapCopy}.
   */
  static float[] heapCopy(MemorySegment x, int tokens, int in) {
    int n = Math.multiplyExact(tokens, in);
    float[] a = COPY.atLeast(n);
    MemorySegment.copy(x, VectorSupport.LE, 0, a, 0, n);
    return a;
  }

  /**
   * How many eight-token tiles to run over {@code n} tokens: all but the last one or two and a
   * leftover of one to three tokens, which would otherwise end in a padded four-token tile or the
   * decode tile (8 + 2 runs as 6 + 4, 8 + 3 as 6 + 4 + 1).
   */
  static int eightTiles(int n) {
    int eights = n / 8;
    int rest = n % 8;
    return rest >= 1 && rest <= 3 && eights > 0 ? eights - 1 : eights;
  }

  /**
   * How many six-token tiles to run over {@code n} tokens: as many as leave the rest in whole
   * four-token tiles (plus one single token when n is odd).
   */
  static int sixTiles(int n) {
    int sixes = n / 6;
    // 6 ≡ 2 (mod 4): the rest n - 6s is a multiple of four (or one more) when s ≡ ⌊n/2⌋ (mod 2)
    if ((sixes - n / 2) % 2 != 0) {
      sixes--;
    }
    return Math.max(0, sixes);
  }

  /** Tokens per pass over the panels: a multiple of the four-token tile. */
  static int tokenBlock(int in) {
    return Math.max(4, (ACTIVATION_BLOCK_BYTES / (in * Float.BYTES)) & ~3);
  }

  /**
   * Tokens {@code [t, t+n)} × panel {@code p}, {@code n} of two to four: the tokens past the
   * six-token tiles, and every batched tile for odd rows. With {@code n < 4} the missing tokens
   * read token {@code t + n - 1}'s row again and are not stored: a three-token step through the
   * decode tile took about twice a one-token step (50.5 against 27–28 ms), one pass over the
   * weights a token. With eight tokens, or with accumulators loaded from memory rather than started
   * at zero, C2 stopped intrinsifying the body's vector operations (2–7 GFMA/s instead of 50–100;
   * PrintInlining: NodeCountInliningCutoff).
   */
  private static void tile4(PanelWeight w, MemorySegment x, int t, int n, int p, float[] tile) {
    MemorySegment pw = w.panels();
    int in = w.in();
    int whole = in / 2;
    long rowX = (long) in * Float.BYTES;
    long x0 = t * rowX;
    long x1 = (t + Math.min(1, n - 1)) * rowX;
    long x2 = (t + Math.min(2, n - 1)) * rowX;
    long x3 = (t + Math.min(3, n - 1)) * rowX;
    long wo = w.panelOffset(p);
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    for (int j = 0; j < whole; j++, wo += PAIR) {
      IntVector q0 = IntVector.fromMemorySegment(I, pw, wo, ORDER);
      IntVector q1 = IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER);
      FloatVector e0 = evens(q0);
      FloatVector e1 = evens(q1);
      long k = j * 8L;
      FloatVector xv = at(x, x0 + k);
      a00 = e0.fma(xv, a00);
      a01 = e1.fma(xv, a01);
      xv = at(x, x1 + k);
      a10 = e0.fma(xv, a10);
      a11 = e1.fma(xv, a11);
      xv = at(x, x2 + k);
      a20 = e0.fma(xv, a20);
      a21 = e1.fma(xv, a21);
      xv = at(x, x3 + k);
      a30 = e0.fma(xv, a30);
      a31 = e1.fma(xv, a31);
      FloatVector o0 = odds(q0);
      FloatVector o1 = odds(q1);
      xv = at(x, x0 + k + 4);
      a00 = o0.fma(xv, a00);
      a01 = o1.fma(xv, a01);
      xv = at(x, x1 + k + 4);
      a10 = o0.fma(xv, a10);
      a11 = o1.fma(xv, a11);
      xv = at(x, x2 + k + 4);
      a20 = o0.fma(xv, a20);
      a21 = o1.fma(xv, a21);
      xv = at(x, x3 + k + 4);
      a30 = o0.fma(xv, a30);
      a31 = o1.fma(xv, a31);
    }
    if (in % 2 == 1) {
      // The last column alone: the other half of its pair is padding.
      FloatVector e0 = evens(IntVector.fromMemorySegment(I, pw, wo, ORDER));
      FloatVector e1 = evens(IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER));
      long k = (in - 1) * 4L;
      a00 = e0.fma(at(x, x0 + k), a00);
      a01 = e1.fma(at(x, x0 + k), a01);
      a10 = e0.fma(at(x, x1 + k), a10);
      a11 = e1.fma(at(x, x1 + k), a11);
      a20 = e0.fma(at(x, x2 + k), a20);
      a21 = e1.fma(at(x, x2 + k), a21);
      a30 = e0.fma(at(x, x3 + k), a30);
      a31 = e1.fma(at(x, x3 + k), a31);
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
   * Tokens {@code [t, t+6)} × panel {@code p}, rows of even length, activations from the heap copy
   * ({@link #heapCopy}). Eight accumulators, as in {@link #tile4}, are just enough chains for two
   * FMA ports of latency four, and any stall shows; twelve measured 13–39% faster on 128-token
   * matmuls (alternated in one JVM, weights from memory: 4864 × 896 172 against 152 GFMA/s, 896 ×
   * 4864 142 against 103). It stays intrinsified because each activation is a plain array element:
   * read through {@link MemorySegment} the twelve-accumulator body hit C2's inlining node cutoff
   * (3–8 GFMA/s). Its outputs leave through {@code tile} for the same reason: stores are {@link
   * #storeTile}'s.
   */
  private static void tile6(PanelWeight w, float[] x, int t, int p, float[] tile) {
    MemorySegment pw = w.panels();
    int in = w.in();
    int whole = in / 2;
    int rowX = in;
    int x0 = t * rowX;
    int x1 = x0 + rowX;
    int x2 = x1 + rowX;
    int x3 = x2 + rowX;
    int x4 = x3 + rowX;
    int x5 = x4 + rowX;
    long wo = w.panelOffset(p);
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    FloatVector a40 = zero, a41 = zero, a50 = zero, a51 = zero;
    for (int j = 0; j < whole; j++, wo += PAIR) {
      IntVector q0 = IntVector.fromMemorySegment(I, pw, wo, ORDER);
      IntVector q1 = IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER);
      FloatVector e0 = evens(q0);
      FloatVector e1 = evens(q1);
      int k = j * 2;
      FloatVector xv = FloatVector.broadcast(F, x[x0 + k]);
      a00 = e0.fma(xv, a00);
      a01 = e1.fma(xv, a01);
      xv = FloatVector.broadcast(F, x[x1 + k]);
      a10 = e0.fma(xv, a10);
      a11 = e1.fma(xv, a11);
      xv = FloatVector.broadcast(F, x[x2 + k]);
      a20 = e0.fma(xv, a20);
      a21 = e1.fma(xv, a21);
      xv = FloatVector.broadcast(F, x[x3 + k]);
      a30 = e0.fma(xv, a30);
      a31 = e1.fma(xv, a31);
      xv = FloatVector.broadcast(F, x[x4 + k]);
      a40 = e0.fma(xv, a40);
      a41 = e1.fma(xv, a41);
      xv = FloatVector.broadcast(F, x[x5 + k]);
      a50 = e0.fma(xv, a50);
      a51 = e1.fma(xv, a51);
      FloatVector o0 = odds(q0);
      FloatVector o1 = odds(q1);
      xv = FloatVector.broadcast(F, x[x0 + k + 1]);
      a00 = o0.fma(xv, a00);
      a01 = o1.fma(xv, a01);
      xv = FloatVector.broadcast(F, x[x1 + k + 1]);
      a10 = o0.fma(xv, a10);
      a11 = o1.fma(xv, a11);
      xv = FloatVector.broadcast(F, x[x2 + k + 1]);
      a20 = o0.fma(xv, a20);
      a21 = o1.fma(xv, a21);
      xv = FloatVector.broadcast(F, x[x3 + k + 1]);
      a30 = o0.fma(xv, a30);
      a31 = o1.fma(xv, a31);
      xv = FloatVector.broadcast(F, x[x4 + k + 1]);
      a40 = o0.fma(xv, a40);
      a41 = o1.fma(xv, a41);
      xv = FloatVector.broadcast(F, x[x5 + k + 1]);
      a50 = o0.fma(xv, a50);
      a51 = o1.fma(xv, a51);
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
  }

  /**
   * Tokens {@code [t, t+8)} × panel {@code p}: {@link #tile6} with sixteen accumulators, so a
   * 128-token prefill (and a 16-token step) runs in whole eight-token tiles; at 128 tokens the two
   * four-token tiles past twenty six-token ones cost about 5% of a 4864 × 896 matmul (two threads,
   * weights from memory: 146–154 GFMA/s against 153–170 at 132 tokens, all in six-token tiles).
   */
  private static void tile8(PanelWeight w, float[] x, int t, int p, float[] tile) {
    MemorySegment pw = w.panels();
    int in = w.in();
    int whole = in / 2;
    int x0 = t * in;
    int x1 = x0 + in;
    int x2 = x1 + in;
    int x3 = x2 + in;
    int x4 = x3 + in;
    int x5 = x4 + in;
    int x6 = x5 + in;
    int x7 = x6 + in;
    long wo = w.panelOffset(p);
    FloatVector zero = FloatVector.zero(F);
    FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero;
    FloatVector a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    FloatVector a40 = zero, a41 = zero, a50 = zero, a51 = zero;
    FloatVector a60 = zero, a61 = zero, a70 = zero, a71 = zero;
    for (int j = 0; j < whole; j++, wo += PAIR) {
      IntVector q0 = IntVector.fromMemorySegment(I, pw, wo, ORDER);
      IntVector q1 = IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER);
      FloatVector e0 = evens(q0);
      FloatVector e1 = evens(q1);
      int k = j * 2;
      FloatVector xv = FloatVector.broadcast(F, x[x0 + k]);
      a00 = e0.fma(xv, a00);
      a01 = e1.fma(xv, a01);
      xv = FloatVector.broadcast(F, x[x1 + k]);
      a10 = e0.fma(xv, a10);
      a11 = e1.fma(xv, a11);
      xv = FloatVector.broadcast(F, x[x2 + k]);
      a20 = e0.fma(xv, a20);
      a21 = e1.fma(xv, a21);
      xv = FloatVector.broadcast(F, x[x3 + k]);
      a30 = e0.fma(xv, a30);
      a31 = e1.fma(xv, a31);
      xv = FloatVector.broadcast(F, x[x4 + k]);
      a40 = e0.fma(xv, a40);
      a41 = e1.fma(xv, a41);
      xv = FloatVector.broadcast(F, x[x5 + k]);
      a50 = e0.fma(xv, a50);
      a51 = e1.fma(xv, a51);
      xv = FloatVector.broadcast(F, x[x6 + k]);
      a60 = e0.fma(xv, a60);
      a61 = e1.fma(xv, a61);
      xv = FloatVector.broadcast(F, x[x7 + k]);
      a70 = e0.fma(xv, a70);
      a71 = e1.fma(xv, a71);
      FloatVector o0 = odds(q0);
      FloatVector o1 = odds(q1);
      xv = FloatVector.broadcast(F, x[x0 + k + 1]);
      a00 = o0.fma(xv, a00);
      a01 = o1.fma(xv, a01);
      xv = FloatVector.broadcast(F, x[x1 + k + 1]);
      a10 = o0.fma(xv, a10);
      a11 = o1.fma(xv, a11);
      xv = FloatVector.broadcast(F, x[x2 + k + 1]);
      a20 = o0.fma(xv, a20);
      a21 = o1.fma(xv, a21);
      xv = FloatVector.broadcast(F, x[x3 + k + 1]);
      a30 = o0.fma(xv, a30);
      a31 = o1.fma(xv, a31);
      xv = FloatVector.broadcast(F, x[x4 + k + 1]);
      a40 = o0.fma(xv, a40);
      a41 = o1.fma(xv, a41);
      xv = FloatVector.broadcast(F, x[x5 + k + 1]);
      a50 = o0.fma(xv, a50);
      a51 = o1.fma(xv, a51);
      xv = FloatVector.broadcast(F, x[x6 + k + 1]);
      a60 = o0.fma(xv, a60);
      a61 = o1.fma(xv, a61);
      xv = FloatVector.broadcast(F, x[x7 + k + 1]);
      a70 = o0.fma(xv, a70);
      a71 = o1.fma(xv, a71);
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

  /** Token {@code t} × panel {@code p}: the decode tile, and the tokens past the last four. */
  private static void tile1(PanelWeight w, MemorySegment x, int t, int p, float[] tile) {
    MemorySegment pw = w.panels();
    int in = w.in();
    int whole = in / 2;
    long x0 = t * (long) in * Float.BYTES;
    long wo = w.panelOffset(p);
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    for (int j = 0; j < whole; j++, wo += PAIR) {
      IntVector q0 = IntVector.fromMemorySegment(I, pw, wo, ORDER);
      IntVector q1 = IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER);
      long k = x0 + j * 8L;
      FloatVector xv = at(x, k);
      a0 = evens(q0).fma(xv, a0);
      a1 = evens(q1).fma(xv, a1);
      xv = at(x, k + 4);
      a0 = odds(q0).fma(xv, a0);
      a1 = odds(q1).fma(xv, a1);
    }
    if (in % 2 == 1) {
      FloatVector xv = at(x, x0 + (in - 1) * 4L);
      a0 = evens(IntVector.fromMemorySegment(I, pw, wo, ORDER)).fma(xv, a0);
      a1 = evens(IntVector.fromMemorySegment(I, pw, wo + HALF, ORDER)).fma(xv, a1);
    }
    a0.intoArray(tile, 0);
    a1.intoArray(tile, L);
  }

  /** One activation, in every lane. */
  private static FloatVector at(MemorySegment x, long off) {
    return FloatVector.broadcast(F, x.get(LE, off));
  }
}
