package dev.cairn.worker.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Brings a span of weights into this core's caches by reading one byte of every 64-byte line,
 * before a batched tile computes on it. Java has no prefetch instruction, and a tile that reads its
 * weights from memory itself keeps few of them in flight: each column it loads is followed by
 * sixteen or more multiply-adds, so the reorder buffer holds only a handful of outstanding lines.
 * This loop does nothing but independent loads, so the core keeps many lines in flight and the span
 * arrives at close to the core's share of the memory bandwidth; the tiles then read it from cache.
 */
final class ReadAhead {

  /** The cache line, the unit in which memory is read. */
  static final long LINE = 64;

  /**
   * The sum of the first byte of every line of {@code [offset, offset + bytes)}: {@link #touch}
   * stores it where the JIT cannot drop the loads that compute it.
   */
  static int lines(MemorySegment segment, long offset, long bytes) {
    int sum = 0;
    for (long o = offset, end = offset + bytes; o < end; o += LINE) {
      sum += segment.get(ValueLayout.JAVA_BYTE, o);
    }
    return sum;
  }

  // Written, never read: a result nobody could observe would let C2 drop the loop. A plain field
  // written by every compute thread costs one shared line's transfer per panel, nothing per load.
  @SuppressWarnings("unused")
  private static int sink;

  /** Reads {@code [offset, offset + bytes)} of {@code segment} into the caches. */
  static void touch(MemorySegment segment, long offset, long bytes) {
    keep(lines(segment, offset, bytes));
  }

  /**
   * Keeps the loads behind {@code sum} (the {@link #lines} of one or more spans, added) from being
   * dropped: for a caller that reads several spans ahead and publishes once.
   */
  static void keep(int sum) {
    sink = sum;
  }

  private ReadAhead() {}
}
