package dev.cairn.worker.backend.cpu;

import dev.cairn.worker.backend.DType;
import java.lang.foreign.MemorySegment;

/**
 * A KV cache in BF16 ({@code spec.engine.kvCacheDtype: bfloat16}): each key and value rounded to
 * nearest even as it is stored ({@link DType#floatToBf16}), at the element offsets an F32 cache of
 * the same order uses, two bytes each. The attention kernels widen what they read in registers
 * ({@link CpuAttention#kv}); a BF16 widens exactly, so attention over a BF16 cache equals attention
 * over an F32 cache holding the rounded values: the only difference from an F32 pool is the
 * rounding. On 16-lane CPUs {@link GroupedKv#write} lays the pool out in its order; here, one cache
 * row after another.
 */
final class Bf16Kv {

  private Bf16Kv() {}

  /**
   * Writes row {@code t} of {@code k} and {@code v} ({@code [rows, kvDim]}, F32) into cache row
   * {@code slots[t]} of each BF16 cache in rows, for every t.
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
}
