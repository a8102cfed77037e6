package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.CpuAttention.store;
import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.AttentionBatch;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Causal attention over the paged cache, one work item per (chunk, key/value head, block of query
 * rows): every query head that shares the key/value head (grouped-query attention), for every row
 * of the block, at once. Sixteen cached keys are transposed in registers so the positions lie in
 * the lanes; a query's scores for them are then plain multiply-adds of its broadcast elements, four
 * queries against four such blocks per pass ({@link #scores4x4}), with no lane sums, and one
 * transpose serves every query of the item (in a cache in {@link GroupedKv}'s order, the
 * executor's, the keys lie transposed already, and fewer than eight queries, a decode step's, are
 * scored where they lie: the copy had been a quarter of a decode step's attention at 4,096
 * positions). The weighted sum of values runs every head of a group of five to eight per pass over
 * the positions ({@link #values8}), other groups two heads a pass, each value vector loaded once
 * for them all. {@link CpuAttention}, one (row, head) at a time with a lane sum per score, ran at
 * 19–25 GFMA/s on two threads.
 *
 * <p>Every output is the same sequence of operations whichever item or tile computes it: a score is
 * one chain of multiply-adds over the head dimension in order, the softmax and the values run over
 * its own row's positions in order. So a row attends bit for bit the same alone or in any batch.
 */
final class GroupedAttention {

  /** Positions per transposed block of keys: the lanes. */
  private static final int P = TokenTranspose.N;

  /**
   * Key blocks transposed together, and scored together by {@link #scores4x4}: sixteen chains for
   * four queries, where one block gave eight queries eight.
   */
  private static final int BLOCKS = 4;

  /** Query rows per item at most: enough queries to amortise each key transpose. */
  private static final int MAX_ROWS = 16;

  /** Scores an item may hold (floats): bounds the scratch for long contexts. */
  private static final int SCORE_BUDGET = 1 << 18;

  private GroupedAttention() {}

  /** Whether this kernel runs heads of {@code headDim} here: 16-lane vectors, whole ones a head. */
  static boolean applies(boolean vector, int headDim) {
    return vector && TokenTranspose.available() && headDim % P == 0;
  }

  /**
   * {@code out[row, head]} for every query row and head of {@code b}, on the pool's threads; {@code
   * grouped}: the caches are in {@link GroupedKv}'s order, else in rows; {@code bf16}: they hold
   * BF16 ({@link Bf16Kv}; in that order only), each vector widened in registers as it is read.
   */
  static void run(
      CpuThreadPool pool,
      MemorySegment q,
      MemorySegment k,
      MemorySegment v,
      boolean grouped,
      boolean bf16,
      AttentionBatch b,
      MemorySegment out) {
    if (bf16 && !grouped) {
      throw new IllegalArgumentException("BF16 caches are read in GroupedKv's order only");
    }
    Items items = Items.plan(b);
    pool.parallelFor(
        items.count(),
        1,
        1,
        Integer.MAX_VALUE,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            int it = items.order()[i];
            item(
                q,
                k,
                v,
                grouped,
                bf16,
                b,
                out,
                items.chunk()[it],
                items.row()[it],
                items.rows()[it],
                items.kv()[it]);
          }
        });
  }

  /**
   * The work items of a batch, heaviest first (a prompt's later rows attend to more positions;
   * taken in that order the threads finish together).
   */
  private record Items(int[] chunk, int[] row, int[] rows, int[] kv, int[] order) {

    int count() {
      return order.length;
    }

    static Items plan(AttentionBatch b) {
      int group = b.numHeads() / b.numKvHeads();
      int[] per = new int[b.chunks()];
      int n = 0;
      for (int c = 0; c < b.chunks(); c++) {
        per[c] = rowsPerItem(group, b.startPosition()[c] + b.rowCount()[c]);
        n += (b.rowCount()[c] + per[c] - 1) / per[c] * b.numKvHeads();
      }
      int[] chunk = new int[n];
      int[] row = new int[n];
      int[] rows = new int[n];
      int[] kv = new int[n];
      long[] keyed = new long[n];
      int i = 0;
      for (int c = 0; c < b.chunks(); c++) {
        int count = b.rowCount()[c];
        for (int r = 0; r < count; r += per[c]) {
          int m = Math.min(per[c], count - r);
          long cost = (long) m * (b.startPosition()[c] + r + m);
          for (int g = 0; g < b.numKvHeads(); g++, i++) {
            chunk[i] = c;
            row[i] = b.rowStart()[c] + r;
            rows[i] = m;
            kv[i] = g;
            keyed[i] = (cost << 32) | i;
          }
        }
      }
      Arrays.sort(keyed);
      int[] order = new int[n];
      for (int j = 0; j < n; j++) {
        order[j] = (int) keyed[n - 1 - j];
      }
      return new Items(chunk, row, rows, kv, order);
    }

    private static int rowsPerItem(int group, int longest) {
      return Math.max(1, Math.min(MAX_ROWS, SCORE_BUDGET / (group * roundUp(longest, BLOCKS * P))));
    }
  }

  /** Rows {@code [row, row + rows)} of chunk {@code c}, every query head of key/value head g. */
  private static void item(
      MemorySegment q,
      MemorySegment k,
      MemorySegment v,
      boolean grouped,
      boolean bf16,
      AttentionBatch b,
      MemorySegment out,
      int c,
      int row,
      int rows,
      int g) {
    int hd = b.headDim();
    int heads = b.numHeads();
    int group = heads / b.numKvHeads();
    int first = b.startPosition()[c] + (row - b.rowStart()[c]);
    int longest = first + rows;
    int stride = roundUp(longest, BLOCKS * P);
    int queries = rows * group;
    float[] qs = QUERIES.atLeast(Math.multiplyExact(queries, hd));
    float[] scores = SCORES.atLeast(Math.multiplyExact(queries, stride));
    float[] keys = KEYS.atLeast(BLOCKS * hd * P);
    long[] cache = CpuAttention.cacheRowScratch(stride);
    int[] table = b.blockTables()[c];
    int kvDim = b.numKvHeads() * hd;
    if (grouped) {
      groupedRows(table, b.blockSize(), longest, stride, kvDim, g, hd, cache);
    } else {
      cacheRows(table, b.blockSize(), longest, stride, kvDim, g * hd, cache);
    }
    // A row's heads of one group are adjacent: one copy per row.
    for (int i = 0; i < rows; i++) {
      long src = ((long) (row + i) * heads + (long) g * group) * hd * Float.BYTES;
      MemorySegment.copy(q, VectorSupport.LE, src, qs, i * group * hd, group * hd);
    }
    float scale = (float) (1.0 / Math.sqrt(hd));
    int span = BLOCKS * P;
    boolean inPlace = grouped && b.blockSize() % P == 0;
    for (int p0 = 0; p0 < longest; p0 += span) {
      int blocks = Math.min(BLOCKS, (longest - p0 + P - 1) / P);
      // Rows whose last position comes before this span attend to none of it.
      int qi = Math.max(0, p0 - first) * group;
      int whole = qi + (queries - qi) / 8 * 8;
      if (inPlace && whole == qi) {
        // Fewer than eight queries (a decode step's one row): scored straight from the cache,
        // where each block's keys lie transposed already; a span's missing blocks repeat its last.
        long k0 = blockKeys(b, c, p0, 0, blocks, kvDim, g, hd);
        long k1 = blockKeys(b, c, p0, 1, blocks, kvDim, g, hd);
        long k2 = blockKeys(b, c, p0, 2, blocks, kvDim, g, hd);
        long k3 = blockKeys(b, c, p0, 3, blocks, kvDim, g, hd);
        for (; qi + 2 <= queries; qi += 2) {
          scores2x4(
              qs, qi * hd, hd, k, bf16, k0, k1, k2, k3, scores, qi * stride + p0, stride, scale);
        }
        if (qi < queries) {
          scores1x4(qs, qi * hd, hd, k, bf16, k0, k1, k2, k3, scores, qi * stride + p0, scale);
        }
        continue;
      }
      for (int kb = 0; kb < blocks; kb++) {
        if (grouped) {
          groupedKeys(k, bf16, b, c, p0 + kb * P, longest, kvDim, g, hd, keys, kb * hd * P);
        } else {
          for (int d = 0; d < hd; d += P) {
            TokenTranspose.gather(k, cache, p0 + kb * P, d, keys, (kb * hd + d) * P);
          }
        }
      }
      if (blocks < BLOCKS) {
        // The span at the end of the row: eight queries a block, so no block past it is scored.
        for (int kb = 0; kb < blocks; kb++) {
          int so = p0 + kb * P;
          for (int t = qi; t < whole; t += 8) {
            scores8(qs, t * hd, hd, keys, kb * hd * P, scores, t * stride + so, stride, scale);
          }
        }
        qi = whole;
      }
      for (; qi < queries; qi += 4) {
        int n = Math.min(4, queries - qi);
        scores4x4(qs, qi * hd, hd, n, keys, scores, qi * stride + p0, stride, scale);
      }
    }
    if (group > 4 && group <= 8 && hd % (2 * P) == 0) {
      boolean ahead = grouped && b.blockSize() % P == 0;
      long o = ((long) row * heads + (long) g * group) * hd;
      values8(
          v, bf16, cache, scores, stride, group, first, rows, hd, out, o, (long) heads * hd, ahead);
      return;
    }
    for (int i = 0; i < rows; i++) {
      int n = first + i + 1;
      long o = ((long) (row + i) * heads + (long) g * group) * hd;
      int j = 0;
      for (; j + 2 <= group; j += 2) {
        int at = (i * group + j) * stride;
        float inv0 = 1f / CpuAttention.expVector(scores, at, n);
        float inv1 = 1f / CpuAttention.expVector(scores, at + stride, n);
        values2(v, bf16, cache, scores, at, at + stride, n, hd, inv0, inv1, out, o + (long) j * hd);
      }
      if (j < group) {
        int at = (i * group + j) * stride;
        values1(
            v,
            bf16,
            cache,
            scores,
            at,
            n,
            hd,
            1f / CpuAttention.expVector(scores, at, n),
            out,
            o + (long) j * hd);
      }
    }
  }

  /**
   * {@link CpuAttention#cacheRows} for positions {@code [0, n)}, then position n - 1 again up to
   * {@code padded}: a transposed block past the row's end reads real cache, and its scores are
   * never used.
   */
  private static void cacheRows(
      int[] table, int blockSize, int n, int padded, int kvDim, long kvHead, long[] rows) {
    CpuAttention.cacheRows(table, blockSize, n, kvDim, kvHead, rows);
    Arrays.fill(rows, n, padded, rows[n - 1]);
  }

  /**
   * {@link GroupedKv#value} of head {@code g} for positions {@code [0, n)}, then position n - 1
   * again up to {@code padded}, as {@link #cacheRows} does for rows.
   */
  private static void groupedRows(
      int[] table, int blockSize, int n, int padded, int kvDim, int g, int hd, long[] rows) {
    cacheRows(table, blockSize, n, padded, 1, 0, rows); // the cache rows themselves
    for (int p = 0; p < padded; p++) {
      rows[p] = GroupedKv.value(rows[p], kvDim, g, hd);
    }
  }

  /**
   * Head {@code g}'s keys of positions {@code [p, p + P)} ({@code [hd][P]}) into {@code keys} at
   * {@code dst}, from a cache in {@link GroupedKv}'s order; p is a multiple of 16 below n. With
   * blocks of a multiple of 16 rows the 16 positions are one group: a single copy (positions past n
   * - 1 bring keys whose scores are never read). Otherwise (no engine block size, but the kernel
   * takes any) key by key, positions past n - 1 repeating it as {@link #cacheRows} pads.
   */
  private static void groupedKeys(
      MemorySegment k,
      boolean bf16,
      AttentionBatch b,
      int c,
      int p,
      int n,
      int kvDim,
      int g,
      int hd,
      float[] keys,
      int dst) {
    if (b.blockSize() % P == 0) {
      long src = GroupedKv.keys(b.cacheRow(c, p), kvDim, g, hd);
      // vector by vector: MemorySegment.copy of these 4 KB runs read a 4,096-position head's keys
      // from memory at 8 GB/s a core, this loop at 16 (docs/cpu-engine-performance.md, "Attention
      // over long contexts")
      for (int i = 0; i < hd * P; i += P) {
        CpuAttention.kv(k, src + i, bf16).intoArray(keys, dst + i);
      }
      return;
    }
    for (int i = 0; i < P; i++) {
      long row = b.cacheRow(c, Math.min(p + i, n - 1));
      for (int d = 0; d < hd; d++) {
        keys[dst + d * P + i] = GroupedKv.key(k, bf16, row, kvDim, g, hd, d);
      }
    }
  }

  /**
   * Scores of queries {@code [qi, qi + 8)} for the 16 positions of the key block at {@code ko}
   * ({@code [hd][P]}): eight independent chains, one key vector and eight broadcasts a step.
   */
  private static void scores8(
      float[] q,
      int qo,
      int hd,
      float[] keys,
      int ko,
      float[] scores,
      int so,
      int stride,
      float scale) {
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
    FloatVector a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int d = 0; d < hd; d++) {
      FloatVector kv = FloatVector.fromArray(F, keys, ko + d * P);
      a0 = FloatVector.broadcast(F, q[qo + d]).fma(kv, a0);
      a1 = FloatVector.broadcast(F, q[qo + hd + d]).fma(kv, a1);
      a2 = FloatVector.broadcast(F, q[qo + 2 * hd + d]).fma(kv, a2);
      a3 = FloatVector.broadcast(F, q[qo + 3 * hd + d]).fma(kv, a3);
      a4 = FloatVector.broadcast(F, q[qo + 4 * hd + d]).fma(kv, a4);
      a5 = FloatVector.broadcast(F, q[qo + 5 * hd + d]).fma(kv, a5);
      a6 = FloatVector.broadcast(F, q[qo + 6 * hd + d]).fma(kv, a6);
      a7 = FloatVector.broadcast(F, q[qo + 7 * hd + d]).fma(kv, a7);
    }
    a0.mul(scale).intoArray(scores, so);
    a1.mul(scale).intoArray(scores, so + stride);
    a2.mul(scale).intoArray(scores, so + 2 * stride);
    a3.mul(scale).intoArray(scores, so + 3 * stride);
    a4.mul(scale).intoArray(scores, so + 4 * stride);
    a5.mul(scale).intoArray(scores, so + 5 * stride);
    a6.mul(scale).intoArray(scores, so + 6 * stride);
    a7.mul(scale).intoArray(scores, so + 7 * stride);
  }

  /**
   * Scores of {@code n} (1 to 4) queries from {@code q[qo]} for the {@link #BLOCKS} blocks of
   * {@code keys} ({@code [BLOCKS][hd][P]}): sixteen chains, four key vectors and four broadcasts a
   * step. With fewer than four queries the last one is scored again in the spare chains and stored
   * again to its own row, the same bits. {@link #scores8} (eight chains, a broadcast for every
   * multiply-add) ran a 2,048-token prompt's scores at about 150 GFMA/s on two threads; the same
   * chains, so the same bits.
   */
  private static void scores4x4(
      float[] q,
      int qo,
      int hd,
      int n,
      float[] keys,
      float[] scores,
      int so,
      int stride,
      float scale) {
    int kb = hd * P;
    int q1 = qo + Math.min(1, n - 1) * hd;
    int q2 = qo + Math.min(2, n - 1) * hd;
    int q3 = qo + Math.min(3, n - 1) * hd;
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
    FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;
    FloatVector e0 = a0, e1 = a0, e2 = a0, e3 = a0;
    for (int d = 0; d < hd; d++) {
      FloatVector k0 = FloatVector.fromArray(F, keys, d * P);
      FloatVector k1 = FloatVector.fromArray(F, keys, kb + d * P);
      FloatVector k2 = FloatVector.fromArray(F, keys, 2 * kb + d * P);
      FloatVector k3 = FloatVector.fromArray(F, keys, 3 * kb + d * P);
      FloatVector x = FloatVector.broadcast(F, q[qo + d]);
      a0 = x.fma(k0, a0);
      a1 = x.fma(k1, a1);
      a2 = x.fma(k2, a2);
      a3 = x.fma(k3, a3);
      x = FloatVector.broadcast(F, q[q1 + d]);
      b0 = x.fma(k0, b0);
      b1 = x.fma(k1, b1);
      b2 = x.fma(k2, b2);
      b3 = x.fma(k3, b3);
      x = FloatVector.broadcast(F, q[q2 + d]);
      c0 = x.fma(k0, c0);
      c1 = x.fma(k1, c1);
      c2 = x.fma(k2, c2);
      c3 = x.fma(k3, c3);
      x = FloatVector.broadcast(F, q[q3 + d]);
      e0 = x.fma(k0, e0);
      e1 = x.fma(k1, e1);
      e2 = x.fma(k2, e2);
      e3 = x.fma(k3, e3);
    }
    // Stored here, not through a helper: vectors passed to a call C2 does not inline are boxed.
    a0.mul(scale).intoArray(scores, so);
    a1.mul(scale).intoArray(scores, so + P);
    a2.mul(scale).intoArray(scores, so + 2 * P);
    a3.mul(scale).intoArray(scores, so + 3 * P);
    int s1 = so + Math.min(1, n - 1) * stride;
    b0.mul(scale).intoArray(scores, s1);
    b1.mul(scale).intoArray(scores, s1 + P);
    b2.mul(scale).intoArray(scores, s1 + 2 * P);
    b3.mul(scale).intoArray(scores, s1 + 3 * P);
    int s2 = so + Math.min(2, n - 1) * stride;
    c0.mul(scale).intoArray(scores, s2);
    c1.mul(scale).intoArray(scores, s2 + P);
    c2.mul(scale).intoArray(scores, s2 + 2 * P);
    c3.mul(scale).intoArray(scores, s2 + 3 * P);
    int s3 = so + Math.min(3, n - 1) * stride;
    e0.mul(scale).intoArray(scores, s3);
    e1.mul(scale).intoArray(scores, s3 + P);
    e2.mul(scale).intoArray(scores, s3 + 2 * P);
    e3.mul(scale).intoArray(scores, s3 + 3 * P);
  }

  /**
   * Element offset in a {@link GroupedKv} cache of head {@code g}'s keys for block {@code kb} of
   * the span at {@code p0}; a block past the span's last ({@code blocks}) repeats it.
   */
  private static long blockKeys(
      AttentionBatch b, int c, int p0, int kb, int blocks, int kvDim, int g, int hd) {
    return GroupedKv.keys(b.cacheRow(c, p0 + Math.min(kb, blocks - 1) * P), kvDim, g, hd);
  }

  /**
   * Scores of queries {@code qi, qi + 1} for four blocks of keys read where they lie in the cache
   * ({@code k} at elements {@code c0} to {@code c3}, each {@code [hd][P]}): eight chains, four key
   * vectors and two broadcasts a step, each score's chain in the order {@link #scores4x4} runs it,
   * so the same bits.
   */
  private static void scores2x4(
      float[] q,
      int qo,
      int hd,
      MemorySegment k,
      boolean bf16,
      long c0,
      long c1,
      long c2,
      long c3,
      float[] scores,
      int so,
      int stride,
      float scale) {
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
    FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (int d = 0; d < hd; d++) {
      FloatVector x = FloatVector.broadcast(F, q[qo + d]);
      FloatVector y = FloatVector.broadcast(F, q[qo + hd + d]);
      long e = (long) d * P;
      FloatVector k0 = CpuAttention.kv(k, c0 + e, bf16);
      FloatVector k1 = CpuAttention.kv(k, c1 + e, bf16);
      FloatVector k2 = CpuAttention.kv(k, c2 + e, bf16);
      FloatVector k3 = CpuAttention.kv(k, c3 + e, bf16);
      a0 = x.fma(k0, a0);
      a1 = x.fma(k1, a1);
      a2 = x.fma(k2, a2);
      a3 = x.fma(k3, a3);
      b0 = y.fma(k0, b0);
      b1 = y.fma(k1, b1);
      b2 = y.fma(k2, b2);
      b3 = y.fma(k3, b3);
    }
    a0.mul(scale).intoArray(scores, so);
    a1.mul(scale).intoArray(scores, so + P);
    a2.mul(scale).intoArray(scores, so + 2 * P);
    a3.mul(scale).intoArray(scores, so + 3 * P);
    b0.mul(scale).intoArray(scores, so + stride);
    b1.mul(scale).intoArray(scores, so + stride + P);
    b2.mul(scale).intoArray(scores, so + stride + 2 * P);
    b3.mul(scale).intoArray(scores, so + stride + 3 * P);
  }

  /** {@link #scores2x4} for the one query of an odd count. */
  private static void scores1x4(
      float[] q,
      int qo,
      int hd,
      MemorySegment k,
      boolean bf16,
      long c0,
      long c1,
      long c2,
      long c3,
      float[] scores,
      int so,
      float scale) {
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
    for (int d = 0; d < hd; d++) {
      FloatVector x = FloatVector.broadcast(F, q[qo + d]);
      long e = (long) d * P;
      a0 = x.fma(CpuAttention.kv(k, c0 + e, bf16), a0);
      a1 = x.fma(CpuAttention.kv(k, c1 + e, bf16), a1);
      a2 = x.fma(CpuAttention.kv(k, c2 + e, bf16), a2);
      a3 = x.fma(CpuAttention.kv(k, c3 + e, bf16), a3);
    }
    a0.mul(scale).intoArray(scores, so);
    a1.mul(scale).intoArray(scores, so + P);
    a2.mul(scale).intoArray(scores, so + 2 * P);
    a3.mul(scale).intoArray(scores, so + 3 * P);
  }

  /**
   * {@code out[o0..] = inv0 · Σ s0[p]·v[p]} and the same for a second head ({@code o0 + hd}) over
   * positions {@code [0, n)}: four vector slices of both heads per pass, each value vector loaded
   * once for the two. Slices past the last four go one at a time.
   */
  private static void values2(
      MemorySegment v,
      boolean bf16,
      long[] rows,
      float[] s,
      int at0,
      int at1,
      int n,
      int hd,
      float inv0,
      float inv1,
      MemorySegment out,
      long o0) {
    long o1 = o0 + hd;
    int d = 0;
    for (; d + 4 * P <= hd; d += 4 * P) {
      FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
      FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
      for (int p = 0; p < n; p++) {
        long r = rows[p] + d;
        FloatVector w0 = FloatVector.broadcast(F, s[at0 + p]);
        FloatVector w1 = FloatVector.broadcast(F, s[at1 + p]);
        FloatVector v0 = CpuAttention.kv(v, r, bf16);
        a0 = v0.fma(w0, a0);
        b0 = v0.fma(w1, b0);
        FloatVector v1 = CpuAttention.kv(v, r + P, bf16);
        a1 = v1.fma(w0, a1);
        b1 = v1.fma(w1, b1);
        FloatVector v2 = CpuAttention.kv(v, r + 2 * P, bf16);
        a2 = v2.fma(w0, a2);
        b2 = v2.fma(w1, b2);
        FloatVector v3 = CpuAttention.kv(v, r + 3 * P, bf16);
        a3 = v3.fma(w0, a3);
        b3 = v3.fma(w1, b3);
      }
      store(out, o0 + d, a0.mul(inv0));
      store(out, o0 + d + P, a1.mul(inv0));
      store(out, o0 + d + 2 * P, a2.mul(inv0));
      store(out, o0 + d + 3 * P, a3.mul(inv0));
      store(out, o1 + d, b0.mul(inv1));
      store(out, o1 + d + P, b1.mul(inv1));
      store(out, o1 + d + 2 * P, b2.mul(inv1));
      store(out, o1 + d + 3 * P, b3.mul(inv1));
    }
    for (; d < hd; d += P) {
      store(out, o0 + d, slice(v, bf16, rows, s, at0, n, d).mul(inv0));
      store(out, o1 + d, slice(v, bf16, rows, s, at1, n, d).mul(inv1));
    }
  }

  /**
   * Positions per pass of {@link #values8}: their values (64 KB at head size 64) are read ahead
   * from memory once and then served from the core's cache to every pass over the head.
   */
  private static final int VALUE_CHUNK = 256;

  /**
   * For each of {@code count} rows (row i attends to positions {@code [0, first + i + 1)}, its
   * heads' scores at {@code s[(i·heads + h)·stride]}), the softmax of each of the {@code heads} (5
   * to 8) query heads of a group, then {@code out[o + i·outRow + h·hd ..] = Σ s_h[p]·v[p] / Σ
   * s_h[p]}: two vector slices of all eight heads per pass over the positions (sixteen chains, a
   * head past {@code heads} repeating the last one's weights and never stored), so a value vector
   * is loaded once for every head, where two heads a pass loaded it four times for seven heads. The
   * passes run {@link #VALUE_CHUNK} positions at a time for every row before the next chunk, so a
   * prompt's rows read each chunk's values from the core's cache: row after row over all positions,
   * a 2,048-token prompt's rows each read 512 KB of values from L3. Each chain still adds its
   * positions in order: rows are bit for bit what they were. {@code ahead}: the values lie in
   * {@link GroupedKv}'s 16-position runs, each chunk read ahead once.
   */
  private static void values8(
      MemorySegment v,
      boolean bf16,
      long[] rows,
      float[] s,
      int stride,
      int heads,
      int first,
      int count,
      int hd,
      MemorySegment out,
      long o,
      long outRow,
      boolean ahead) {
    float[] inv = INVERSES.atLeast(count * heads);
    for (int i = 0; i < count; i++) {
      for (int h = 0; h < heads; h++) {
        inv[i * heads + h] =
            1f / CpuAttention.expVector(s, (i * heads + h) * stride, first + i + 1);
      }
    }
    int per = hd / P * 8 * P;
    float[] acc = ACC.atLeast(count * per);
    Arrays.fill(acc, 0, count * per, 0f);
    int longest = first + count;
    long width = bf16 ? 2 : Float.BYTES;
    for (int p0 = 0; p0 < longest; p0 += VALUE_CHUNK) {
      int end = Math.min(longest, p0 + VALUE_CHUNK);
      if (ahead) {
        int sum = 0;
        for (int p = p0; p < end; p += P) {
          sum += ReadAhead.lines(v, rows[p] * width, P * hd * width);
        }
        ReadAhead.keep(sum);
      }
      for (int i = Math.max(0, p0 - first); i < count; i++) {
        int p1 = Math.min(first + i + 1, end);
        for (int d = 0; d < hd; d += 2 * P) {
          values8Pass(
              v, bf16, rows, s, i * heads * stride, stride, heads - 1, p0, p1, d, acc, i * per);
        }
      }
    }
    for (int i = 0; i < count; i++) {
      for (int d = 0; d < hd; d += P) {
        for (int h = 0; h < heads; h++) {
          FloatVector a = FloatVector.fromArray(F, acc, i * per + (d / P * 8 + h) * P);
          store(out, o + i * outRow + (long) h * hd + d, a.mul(inv[i * heads + h]));
        }
      }
    }
  }

  /**
   * Positions {@code [p0, p1)} of {@link #values8}'s slices d and d + P: sixteen chains carried in
   * {@code acc} (slice j of head h at {@code base + (8j + h)·P}); heads past {@code last} repeat
   * it.
   */
  private static void values8Pass(
      MemorySegment v,
      boolean bf16,
      long[] rows,
      float[] s,
      int at,
      int stride,
      int last,
      int p0,
      int p1,
      int e,
      float[] acc,
      int base) {
    int s0 = at;
    int s1 = at + Math.min(1, last) * stride;
    int s2 = at + Math.min(2, last) * stride;
    int s3 = at + Math.min(3, last) * stride;
    int s4 = at + Math.min(4, last) * stride;
    int s5 = at + Math.min(5, last) * stride;
    int s6 = at + Math.min(6, last) * stride;
    int s7 = at + Math.min(7, last) * stride;
    int ai = base + e / P * 8 * P;
    int bi = ai + 8 * P;
    FloatVector a0 = FloatVector.fromArray(F, acc, ai);
    FloatVector a1 = FloatVector.fromArray(F, acc, ai + P);
    FloatVector a2 = FloatVector.fromArray(F, acc, ai + 2 * P);
    FloatVector a3 = FloatVector.fromArray(F, acc, ai + 3 * P);
    FloatVector a4 = FloatVector.fromArray(F, acc, ai + 4 * P);
    FloatVector a5 = FloatVector.fromArray(F, acc, ai + 5 * P);
    FloatVector a6 = FloatVector.fromArray(F, acc, ai + 6 * P);
    FloatVector a7 = FloatVector.fromArray(F, acc, ai + 7 * P);
    FloatVector b0 = FloatVector.fromArray(F, acc, bi);
    FloatVector b1 = FloatVector.fromArray(F, acc, bi + P);
    FloatVector b2 = FloatVector.fromArray(F, acc, bi + 2 * P);
    FloatVector b3 = FloatVector.fromArray(F, acc, bi + 3 * P);
    FloatVector b4 = FloatVector.fromArray(F, acc, bi + 4 * P);
    FloatVector b5 = FloatVector.fromArray(F, acc, bi + 5 * P);
    FloatVector b6 = FloatVector.fromArray(F, acc, bi + 6 * P);
    FloatVector b7 = FloatVector.fromArray(F, acc, bi + 7 * P);
    for (int p = p0; p < p1; p++) {
      long r = rows[p] + e;
      FloatVector v0 = CpuAttention.kv(v, r, bf16);
      FloatVector v1 = CpuAttention.kv(v, r + P, bf16);
      FloatVector w = FloatVector.broadcast(F, s[s0 + p]);
      a0 = v0.fma(w, a0);
      b0 = v1.fma(w, b0);
      w = FloatVector.broadcast(F, s[s1 + p]);
      a1 = v0.fma(w, a1);
      b1 = v1.fma(w, b1);
      w = FloatVector.broadcast(F, s[s2 + p]);
      a2 = v0.fma(w, a2);
      b2 = v1.fma(w, b2);
      w = FloatVector.broadcast(F, s[s3 + p]);
      a3 = v0.fma(w, a3);
      b3 = v1.fma(w, b3);
      w = FloatVector.broadcast(F, s[s4 + p]);
      a4 = v0.fma(w, a4);
      b4 = v1.fma(w, b4);
      w = FloatVector.broadcast(F, s[s5 + p]);
      a5 = v0.fma(w, a5);
      b5 = v1.fma(w, b5);
      w = FloatVector.broadcast(F, s[s6 + p]);
      a6 = v0.fma(w, a6);
      b6 = v1.fma(w, b6);
      w = FloatVector.broadcast(F, s[s7 + p]);
      a7 = v0.fma(w, a7);
      b7 = v1.fma(w, b7);
    }
    a0.intoArray(acc, ai);
    a1.intoArray(acc, ai + P);
    a2.intoArray(acc, ai + 2 * P);
    a3.intoArray(acc, ai + 3 * P);
    a4.intoArray(acc, ai + 4 * P);
    a5.intoArray(acc, ai + 5 * P);
    a6.intoArray(acc, ai + 6 * P);
    a7.intoArray(acc, ai + 7 * P);
    b0.intoArray(acc, bi);
    b1.intoArray(acc, bi + P);
    b2.intoArray(acc, bi + 2 * P);
    b3.intoArray(acc, bi + 3 * P);
    b4.intoArray(acc, bi + 4 * P);
    b5.intoArray(acc, bi + 5 * P);
    b6.intoArray(acc, bi + 6 * P);
    b7.intoArray(acc, bi + 7 * P);
  }

  /** {@link #values2} for one head (a group of odd size): the same chains, one head at a time. */
  private static void values1(
      MemorySegment v,
      boolean bf16,
      long[] rows,
      float[] s,
      int at,
      int n,
      int hd,
      float inv,
      MemorySegment out,
      long o) {
    int d = CpuAttention.valuesInFours(v, bf16, rows, s, at, n, hd, inv, out, o);
    for (; d < hd; d += P) {
      store(out, o + d, slice(v, bf16, rows, s, at, n, d).mul(inv));
    }
  }

  /** One vector slice at element {@code d} of a head's weighted sum, positions in order. */
  private static FloatVector slice(
      MemorySegment v, boolean bf16, long[] rows, float[] s, int at, int n, int d) {
    FloatVector a = FloatVector.zero(F);
    for (int p = 0; p < n; p++) {
      a = CpuAttention.kv(v, rows[p] + d, bf16).fma(FloatVector.broadcast(F, s[at + p]), a);
    }
    return a;
  }

  private static int roundUp(int n, int m) {
    return (n + m - 1) / m * m;
  }

  /** Per compute thread: an item's queries, scores and transposed keys. */
  private static final ScratchFloats QUERIES = new ScratchFloats();

  private static final ScratchFloats SCORES = new ScratchFloats();
  private static final ScratchFloats KEYS = new ScratchFloats();
  private static final ScratchFloats ACC = new ScratchFloats();
  private static final ScratchFloats INVERSES = new ScratchFloats();
}
