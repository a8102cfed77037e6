package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.LE;

import dev.cairn.worker.backend.AttentionBatch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal attention of one (query row, head) over the paged cache: scores q·k over every cached
 * position up to the row's own, a max-shifted softmax, then the weighted sum of values. Vector path
 * over the head dimension, scalar path for fallback and tails.
 */
final class CpuAttention {

  private CpuAttention() {}

  /** Work item {@code item} = row * heads + head; returns nothing, writes out[row, head]. */
  static void run(
      MemorySegment q,
      MemorySegment k,
      MemorySegment v,
      AttentionBatch b,
      int[] rowChunk,
      MemorySegment out,
      int item,
      boolean vector) {
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
    float[] scores = new float[last + 1];
    long[] rows = new long[last + 1];
    float max = Float.NEGATIVE_INFINITY;
    for (int p = 0; p <= last; p++) {
      rows[p] = (long) b.cacheRow(c, p) * kvDim + kvHead;
      float s = dot(q, qOff, k, rows[p], hd, vector) * scale;
      scores[p] = s;
      max = Math.max(max, s);
    }
    float sum = 0;
    for (int p = 0; p <= last; p++) {
      scores[p] = (float) Math.exp(scores[p] - max);
      sum += scores[p];
    }
    float inv = 1f / sum;
    int d = 0;
    if (vector) {
      for (; d + F.length() <= hd; d += F.length()) {
        FloatVector acc = FloatVector.zero(F);
        for (int p = 0; p <= last; p++) {
          FloatVector vv =
              FloatVector.fromMemorySegment(F, v, (rows[p] + d) * 4, ByteOrder.LITTLE_ENDIAN);
          acc = vv.fma(FloatVector.broadcast(F, scores[p]), acc);
        }
        acc.mul(inv).intoMemorySegment(out, (qOff + d) * 4, ByteOrder.LITTLE_ENDIAN);
      }
    }
    for (; d < hd; d++) {
      float acc = 0;
      for (int p = 0; p <= last; p++) {
        acc += scores[p] * v.getAtIndex(LE, rows[p] + d);
      }
      out.setAtIndex(LE, qOff + d, acc * inv);
    }
  }

  private static float dot(
      MemorySegment a, long aOff, MemorySegment b, long bOff, int n, boolean vector) {
    int i = 0;
    float sum = 0;
    if (vector && n >= F.length()) {
      FloatVector acc = FloatVector.zero(F);
      for (; i + F.length() <= n; i += F.length()) {
        FloatVector x =
            FloatVector.fromMemorySegment(F, a, (aOff + i) * 4, ByteOrder.LITTLE_ENDIAN);
        FloatVector y =
            FloatVector.fromMemorySegment(F, b, (bOff + i) * 4, ByteOrder.LITTLE_ENDIAN);
        acc = x.fma(y, acc);
      }
      sum = acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < n; i++) {
      sum += a.getAtIndex(LE, aOff + i) * b.getAtIndex(LE, bOff + i);
    }
    return sum;
  }
}
