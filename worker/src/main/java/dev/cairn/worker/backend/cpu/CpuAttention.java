package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.LE;
import static dev.cairn.worker.backend.cpu.VectorSupport.sum;

import dev.cairn.worker.backend.AttentionBatch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal attention of one (query row, head) over the paged cache: scores q·k over every cached
 * position up to the row's own, a max-shifted softmax, then the weighted sum of values. Vector path
 * over the head dimension, scalar path for fallback and tails.
 */
final class CpuAttention {

  private CpuAttention() {}

  /**
   * Work item {@code item} = row * heads + head; returns nothing, writes out[row, head]. {@code
   * bf16}: the caches are BF16 ({@link Bf16Kv}), each element widened as it is read.
   */
  static void run(
      MemorySegment q,
      MemorySegment k,
      MemorySegment v,
      AttentionBatch b,
      int[] rowChunk,
      MemorySegment out,
      int item,
      boolean vector,
      boolean bf16) {
    int heads = b.numHeads();
    int row = item / heads;
    int h = item % heads;
    int c = rowChunk[row];
    int last = b.startPosition()[c] + (row - b.rowStart()[c]);
    int hd = b.headDim();
    int kvDim = b.numKvHeads() * hd;
    long qOff = ((long) row * heads + h) * hd;
    long kvHead = (long) (h / (heads / b.numKvHeads())) * hd;
    float scale = (float) (1.0 / Math.sqrt(hd));
    int n = last + 1;
    float[] scores = SCORES.atLeast(n);
    long[] rows = cacheRowScratch(n);
    cacheRows(b.blockTables()[c], b.blockSize(), n, kvDim, kvHead, rows);
    int p = vector ? scoresInFours(q, qOff, k, bf16, rows, n, hd, scale, scores) : 0;
    for (; p < n; p++) {
      scores[p] = dot(q, qOff, k, bf16, rows[p], hd, vector) * scale;
    }
    float inv = 1f / (vector ? expVector(scores, 0, n) : expScalar(scores, n));
    int d = vector ? valuesInFours(v, bf16, rows, scores, 0, n, hd, inv, out, qOff) : 0;
    if (vector) {
      for (; d + F.length() <= hd; d += F.length()) {
        values(v, bf16, rows, scores, n, d, inv, out, qOff);
      }
    }
    for (; d < hd; d++) {
      float acc = 0;
      for (p = 0; p < n; p++) {
        acc += scores[p] * kvAt(v, rows[p] + d, bf16);
      }
      out.setAtIndex(LE, qOff + d, acc * inv);
    }
  }

  /**
   * Element offset of this head's key/value in the cache row of each position {@code [0, n)}, block
   * by block ({@link AttentionBatch#cacheRow} divides by the block size twice per position).
   */
  static void cacheRows(int[] table, int blockSize, int n, int kvDim, long kvHead, long[] rows) {
    for (int blk = 0, p = 0; p < n; blk++) {
      long first = (long) table[blk] * blockSize;
      for (int i = 0; i < blockSize && p < n; i++, p++) {
        rows[p] = (first + i) * kvDim + kvHead;
      }
    }
  }

  /**
   * Output slices {@code [0, 4L·⌊hd/4L⌋)} of the weighted sum of values, weights {@code scores[at +
   * p]}, four vector slices per pass over the positions: one row index and one weight broadcast
   * serve four multiply-adds, in four independent chains. Returns the first element not written.
   * {@link GroupedAttention} runs it for a group's odd head, from a BF16 cache when {@code bf16}.
   */
  static int valuesInFours(
      MemorySegment v,
      boolean bf16,
      long[] rows,
      float[] scores,
      int at,
      int n,
      int hd,
      float inv,
      MemorySegment out,
      long qOff) {
    int l = F.length();
    int d = 0;
    for (; d + 4 * l <= hd; d += 4 * l) {
      FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
      for (int p = 0; p < n; p++) {
        long r = rows[p] + d;
        FloatVector w = FloatVector.broadcast(F, scores[at + p]);
        a0 = kv(v, r, bf16).fma(w, a0);
        a1 = kv(v, r + l, bf16).fma(w, a1);
        a2 = kv(v, r + 2 * l, bf16).fma(w, a2);
        a3 = kv(v, r + 3 * l, bf16).fma(w, a3);
      }
      store(out, qOff + d, a0.mul(inv));
      store(out, qOff + d + l, a1.mul(inv));
      store(out, qOff + d + 2 * l, a2.mul(inv));
      store(out, qOff + d + 3 * l, a3.mul(inv));
    }
    return d;
  }

  /** One vector slice at element {@code d} of the weighted sum: the slices past the fours. */
  private static void values(
      MemorySegment v,
      boolean bf16,
      long[] rows,
      float[] scores,
      int n,
      int d,
      float inv,
      MemorySegment out,
      long qOff) {
    // Even and odd positions in two chains: one chain waited an FMA's latency per position.
    FloatVector even = FloatVector.zero(F);
    FloatVector odd = FloatVector.zero(F);
    int p = 0;
    for (; p + 1 < n; p += 2) {
      even = kv(v, rows[p] + d, bf16).fma(FloatVector.broadcast(F, scores[p]), even);
      odd = kv(v, rows[p + 1] + d, bf16).fma(FloatVector.broadcast(F, scores[p + 1]), odd);
    }
    if (p < n) {
      even = kv(v, rows[p] + d, bf16).fma(FloatVector.broadcast(F, scores[p]), even);
    }
    store(out, qOff + d, even.add(odd).mul(inv));
  }

  /**
   * Scores of positions {@code [0, 4⌊n/4⌋)} four at a time when the head is whole vectors: four
   * independent dot products per pass over the query (one product's chain of multiply-adds and its
   * lane sum left the core waiting). Each score is added in the same order as {@link #dot}. Returns
   * the first position not scored.
   */
  private static int scoresInFours(
      MemorySegment q,
      long qOff,
      MemorySegment k,
      boolean bf16,
      long[] rows,
      int n,
      int hd,
      float scale,
      float[] scores) {
    int l = F.length();
    if (hd % l != 0) {
      return 0;
    }
    int p = 0;
    for (; p + 4 <= n; p += 4) {
      long r0 = rows[p], r1 = rows[p + 1], r2 = rows[p + 2], r3 = rows[p + 3];
      FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
      for (int d = 0; d < hd; d += l) {
        FloatVector qv = value(q, qOff + d);
        a0 = qv.fma(kv(k, r0 + d, bf16), a0);
        a1 = qv.fma(kv(k, r1 + d, bf16), a1);
        a2 = qv.fma(kv(k, r2 + d, bf16), a2);
        a3 = qv.fma(kv(k, r3 + d, bf16), a3);
      }
      scores[p] = sum(a0) * scale;
      scores[p + 1] = sum(a1) * scale;
      scores[p + 2] = sum(a2) * scale;
      scores[p + 3] = sum(a3) * scale;
    }
    return p;
  }

  /**
   * {@code s[at + p] = exp(s[at + p] - max)} over {@code p < n}, vector lanes; returns their sum.
   * Every position takes the same exp whatever its place in the row ({@link
   * VectorSupport#expInPlace}, which sums them in one chain, in position order). The maximum runs
   * in two chains (it is the same whatever the order).
   */
  static float expVector(float[] s, int at, int n) {
    int l = F.length();
    int whole = n - n % l;
    FloatVector top0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    FloatVector top1 = top0;
    int p = 0;
    for (; p + 2 * l <= whole; p += 2 * l) {
      top0 = top0.max(FloatVector.fromArray(F, s, at + p));
      top1 = top1.max(FloatVector.fromArray(F, s, at + p + l));
    }
    for (; p < whole; p += l) {
      top0 = top0.max(FloatVector.fromArray(F, s, at + p));
    }
    VectorMask<Float> tail = F.indexInRange(whole, n);
    if (whole < n) {
      top1 =
          top1.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, s, at + whole, tail), tail);
    }
    return VectorSupport.expInPlace(s, at, n, top0.max(top1).reduceLanes(VectorOperators.MAX));
  }

  /** The scalar path of {@link #expVector}. */
  private static float expScalar(float[] scores, int n) {
    float max = Float.NEGATIVE_INFINITY;
    for (int p = 0; p < n; p++) {
      max = Math.max(max, scores[p]);
    }
    float sum = 0;
    for (int p = 0; p < n; p++) {
      scores[p] = (float) Math.exp(scores[p] - max);
      sum += scores[p];
    }
    return sum;
  }

  /** The float vector at element {@code element} of a cache or query segment. */
  static FloatVector value(MemorySegment v, long element) {
    return FloatVector.fromMemorySegment(F, v, element * 4, ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The float vector at element {@code element} of a KV cache: {@link #value} of an F32 one, or
   * widened in registers from a BF16 one ({@link Bf16Kv}), whose elements take two bytes.
   */
  static FloatVector kv(MemorySegment cache, long element, boolean bf16) {
    return bf16 ? VectorSupport.bf16(cache, element * 2) : value(cache, element);
  }

  /** Element {@code element} of a KV cache, F32 or (when {@code bf16}) BF16 widened. */
  static float kvAt(MemorySegment cache, long element, boolean bf16) {
    return bf16 ? VectorSupport.bf16At(cache, element) : cache.getAtIndex(LE, element);
  }

  /** Stores {@code x} at element {@code element} of the output. */
  static void store(MemorySegment out, long element, FloatVector x) {
    x.intoMemorySegment(out, element * 4, ByteOrder.LITTLE_ENDIAN);
  }

  /** Per compute thread: one item's scores, grown to the longest context seen. */
  private static final ScratchFloats SCORES = new ScratchFloats();

  /** Per compute thread: the cache rows of an item's positions ({@link #cacheRows}). */
  private static final ThreadLocal<long[]> ROWS = ThreadLocal.withInitial(() -> new long[0]);

  /**
   * This thread's cache-row array, at least {@code n} long (grown, at least doubled, when a longer
   * context comes): shared by {@link #run} and {@link GroupedAttention}, which never run at once on
   * one thread.
   */
  static long[] cacheRowScratch(int n) {
    long[] a = ROWS.get();
    if (a.length < n) {
      a = new long[Math.max(n, 2 * a.length)];
      ROWS.set(a);
    }
    return a;
  }

  /** q·k of one query head and one cached key ({@code b}, BF16 when {@code bf16}). */
  private static float dot(
      MemorySegment a, long aOff, MemorySegment b, boolean bf16, long bOff, int n, boolean vector) {
    int i = 0;
    float total = 0;
    if (vector && n >= F.length()) {
      FloatVector acc = FloatVector.zero(F);
      for (; i + F.length() <= n; i += F.length()) {
        FloatVector x =
            FloatVector.fromMemorySegment(F, a, (aOff + i) * 4, ByteOrder.LITTLE_ENDIAN);
        acc = x.fma(kv(b, bOff + i, bf16), acc);
      }
      total = sum(acc);
    }
    for (; i < n; i++) {
      total += a.getAtIndex(LE, aOff + i) * kvAt(b, bOff + i, bf16);
    }
    return total;
  }
}
