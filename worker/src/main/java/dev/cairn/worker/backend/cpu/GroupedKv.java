package dev.cairn.worker.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The order of a KV cache's elements for {@link GroupedAttention}: cache rows in groups of {@link
 * #ROWS} (one engine block), and within a group, head by head, the keys transposed ({@code
 * [headDim][16]}: one dimension of the group's 16 positions is one vector) and the values head
 * after head ({@code [16][headDim]}). An attention item, one key/value head over a run of
 * positions, then reads each 16 positions of its keys and of its values as one contiguous run (4 KB
 * at head size 64), and its keys need no transposing. In rows, an item read 256 bytes from every
 * 512-byte row (two heads side by side) and turned each 16 × 16 square of keys in registers: at a
 * 1,024-token context that was a fifth to a quarter of the attention's time
 * (docs/cpu-engine-performance.md, "Attention over long contexts").
 *
 * <p>The offsets below count elements: F32, or BF16 ({@link Bf16Kv}) at the same offsets. Only
 * {@link CpuBackend#writeKv} writes such a cache and only {@link GroupedAttention} reads it.
 */
final class GroupedKv {

  /** Rows of a group: a transposed key block has one position per lane. */
  static final int ROWS = TokenTranspose.N;

  private static final ValueLayout.OfFloat LE = VectorSupport.LE;

  private GroupedKv() {}

  /** Element offset of the first row of {@code row}'s group. */
  private static long group(long row, int kvDim) {
    return row / ROWS * ROWS * kvDim;
  }

  /**
   * Element offset of the transposed keys {@code [headDim][16]} of head {@code g} in {@code row}'s
   * group.
   */
  static long keys(long row, int kvDim, int g, int headDim) {
    return group(row, kvDim) + (long) g * headDim * ROWS;
  }

  /** Element offset of {@code row}'s value vector for head {@code g}. */
  static long value(long row, int kvDim, int g, int headDim) {
    return group(row, kvDim) + ((long) g * ROWS + row % ROWS) * headDim;
  }

  /** Element {@code d} of {@code row}'s key for head {@code g}, from an F32 or a BF16 cache. */
  static float key(
      MemorySegment keys, boolean bf16, long row, int kvDim, int g, int headDim, int d) {
    long at = keys(row, kvDim, g, headDim) + (long) d * ROWS + row % ROWS;
    return bf16 ? VectorSupport.bf16At(keys, at) : keys.getAtIndex(LE, at);
  }

  /**
   * Writes row {@code t} of {@code k} and {@code v} ({@code [rows, kvDim]}, F32) into cache row
   * {@code slots[t]} of each cache, for every t; {@code bf16}: the caches hold BF16 elements (two
   * bytes, at the same element offsets), each rounded to nearest even as {@link Bf16Kv} rounds.
   */
  static void write(
      MemorySegment k,
      MemorySegment v,
      MemorySegment keyCache,
      MemorySegment valueCache,
      int[] slots,
      int kvDim,
      int headDim,
      boolean bf16) {
    int heads = kvDim / headDim;
    long headBytes = (long) headDim * Float.BYTES;
    for (int t = 0; t < slots.length; t++) {
      long src = (long) t * kvDim;
      int lane = slots[t] % ROWS;
      long base = group(slots[t], kvDim) + lane;
      // one position's key lands one lane of every transposed dimension: a strided scatter
      for (int c = 0; c < kvDim; c++) {
        float x = k.getAtIndex(LE, src + c);
        if (bf16) {
          Bf16Kv.set(keyCache, base + (long) c * ROWS, x);
        } else {
          keyCache.setAtIndex(LE, base + (long) c * ROWS, x);
        }
      }
      for (int g = 0; g < heads; g++) {
        long from = src + (long) g * headDim;
        long dst = value(slots[t], kvDim, g, headDim);
        if (bf16) {
          for (int d = 0; d < headDim; d++) {
            Bf16Kv.set(valueCache, dst + d, v.getAtIndex(LE, from + d));
          }
        } else {
          MemorySegment.copy(v, from * Float.BYTES, valueCache, dst * Float.BYTES, headBytes);
        }
      }
    }
  }
}
