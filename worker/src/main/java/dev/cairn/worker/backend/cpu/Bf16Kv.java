package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * A KV cache in BF16 ({@code spec.engine.kvCacheDtype: bfloat16}), cache rows one after another.
 * {@link #write} rounds each key and value to nearest even, as {@link DType#floatToBf16} does;
 * {@link #widen} copies one key/value head's rows of one sequence back into F32, in scratch of the
 * calling thread, where the F32 attention kernels read them as they read an F32 cache in rows. A
 * BF16 widens exactly, so attention over the widened rows equals attention over an F32 cache that
 * holds the rounded values: the only difference from an F32 pool is the rounding.
 */
final class Bf16Kv {

  private Bf16Kv() {}

  /**
   * One thread's widened keys and values of the item it runs, valid until its next {@link #widen}.
   */
  record Widened(MemorySegment keys, MemorySegment values) {}

  /**
   * Writes row {@code t} of {@code k} and {@code v} ({@code [rows, kvDim]}, F32) into cache row
   * {@code slots[t]} of each BF16 cache, for every t.
   */
  static void write(
      MemorySegment k,
      MemorySegment v,
      MemorySegment keyCache,
      MemorySegment valueCache,
      int[] slots,
      int kvDim) {
    for (int t = 0; t < slots.length; t++) {
      long src = (long) t * kvDim;
      long dst = (long) slots[t] * kvDim;
      for (int c = 0; c < kvDim; c++) {
        set(keyCache, dst + c, k.getAtIndex(VectorSupport.LE, src + c));
        set(valueCache, dst + c, v.getAtIndex(VectorSupport.LE, src + c));
      }
    }
  }

  /** Stores {@code value} at element {@code i} of a BF16 cache, rounded to nearest even. */
  static void set(MemorySegment cache, long i, float value) {
    cache.setAtIndex(VectorSupport.LE16, i, DType.floatToBf16(value));
  }

  /**
   * Widens the {@code headDim} elements at {@code rows[p]} of both caches, for positions {@code [0,
   * n)}, into this thread's scratch, position after position, and rewrites {@code rows} to the
   * scratch's offsets: {@code rows[p] = p · headDim}, and {@code (n - 1) · headDim} for positions
   * {@code [n, padded)} (a padded block repeats the last position, as {@link
   * CpuAttention#cacheRows}' callers pad).
   *
   * @param vector widen with vectors ({@code headDim} a multiple of the lanes), else element-wise
   */
  static Widened widen(
      MemorySegment keyCache,
      MemorySegment valueCache,
      long[] rows,
      int n,
      int padded,
      int headDim,
      boolean vector) {
    long bytes = (long) n * headDim * Float.BYTES;
    MemorySegment[] scratch = SCRATCH.get();
    if (scratch[0].byteSize() < bytes) {
      long size = Math.max(bytes, 2 * scratch[0].byteSize());
      Arena arena = Arena.ofAuto();
      scratch = new MemorySegment[] {arena.allocate(size, 64), arena.allocate(size, 64)};
      SCRATCH.set(scratch);
    }
    MemorySegment keys = scratch[0];
    MemorySegment values = scratch[1];
    boolean lanes = vector && headDim % F.length() == 0;
    for (int p = 0; p < n; p++) {
      long src = rows[p];
      long dst = (long) p * headDim;
      if (lanes) {
        for (int d = 0; d < headDim; d += F.length()) {
          long at = (dst + d) * Float.BYTES;
          VectorSupport.bf16(keyCache, (src + d) * 2).intoMemorySegment(keys, at, ORDER);
          VectorSupport.bf16(valueCache, (src + d) * 2).intoMemorySegment(values, at, ORDER);
        }
      } else {
        for (int d = 0; d < headDim; d++) {
          keys.setAtIndex(VectorSupport.LE, dst + d, VectorSupport.bf16At(keyCache, src + d));
          values.setAtIndex(VectorSupport.LE, dst + d, VectorSupport.bf16At(valueCache, src + d));
        }
      }
      rows[p] = dst;
    }
    for (int p = n; p < padded; p++) {
      rows[p] = (long) (n - 1) * headDim;
    }
    return new Widened(keys, values);
  }

  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  /**
   * Per compute thread: widened keys and values, grown (at least doubled) when a longer item comes.
   */
  private static final ThreadLocal<MemorySegment[]> SCRATCH =
      ThreadLocal.withInitial(() -> new MemorySegment[] {MemorySegment.NULL, MemorySegment.NULL});
}
