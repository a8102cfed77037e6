package dev.cairn.worker.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/**
 * Whole tensors converted between F32, BF16 and F16 at load ({@code engine.dtype}, and the CPU
 * backend's F16 matrices widened to F32), in chunks on every core, each element exactly as {@link
 * HostTensor#getFloat}, {@link DType#floatToBf16} and {@link Float#floatToFloat16} convert it.
 * Element by element on one thread through the dtype switch, converting the 0.5B shape's BF16
 * weights to F32 took about 10 s and widening its F16 matrices on the CPU backend about 16 s; in
 * chunks on two threads, 3.5 s and 2.5 s.
 */
public final class DTypeConversion {

  /** Elements per parallel chunk: large enough to amortise a task, small enough to share out. */
  private static final int CHUNK = 1 << 16;

  private DTypeConversion() {}

  /**
   * A copy of {@code src} in {@code target} ({@code F32}, {@code BF16} or {@code F16}), in
   * huge-page memory freed with {@code arena}: zeroing a fresh copy 4 KB page by 4 KB page on one
   * thread had been most of an F16 matrix's widening.
   */
  public static HostTensor convert(HostTensor src, DType target, Arena arena) {
    MemorySegment dst = HugePageMemory.allocate(src.numel() * target.bytes(), arena);
    convert(src, target, dst);
    return new HostTensor(target, src.shape(), dst);
  }

  /**
   * Every element of {@code src} in {@code target} ({@code F32}, {@code BF16} or {@code F16}) into
   * {@code dst}, which holds at least {@code src.numel()} of them.
   */
  public static void convert(HostTensor src, DType target, MemorySegment dst) {
    if (target.isQuantized()) {
      throw new IllegalArgumentException(target + " is a block format: QuantBlocks makes those");
    }
    long n = src.numel();
    int chunks = Math.toIntExact((n + CHUNK - 1) / CHUNK);
    IntStream.range(0, chunks)
        .parallel()
        .forEach(
            c -> {
              long from = (long) c * CHUNK;
              int len = (int) Math.min(CHUNK, n - from);
              float[] values = src.toFloats(from, len);
              if (target == DType.F32) {
                MemorySegment.copy(values, 0, dst, HostTensor.F32, from * Float.BYTES, len);
                return;
              }
              short[] halves = new short[len];
              if (target == DType.BF16) {
                for (int i = 0; i < len; i++) {
                  halves[i] = DType.floatToBf16(values[i]);
                }
              } else {
                for (int i = 0; i < len; i++) {
                  halves[i] = Float.floatToFloat16(values[i]);
                }
              }
              MemorySegment.copy(halves, 0, dst, HostTensor.I16, from * Short.BYTES, len);
            });
  }
}
