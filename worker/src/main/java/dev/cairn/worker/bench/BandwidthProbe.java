package dev.cairn.worker.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures memory read bandwidth: every thread sums its slab of a large buffer with the Vector API.
 */
final class BandwidthProbe {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private BandwidthProbe() {}

  /** Best of {@code runs} passes over {@code bytes} bytes, in bytes per second. */
  static double measure(long bytes, int threads, int runs) throws InterruptedException {
    try (Arena arena = Arena.ofShared()) {
      MemorySegment buf = arena.allocate(bytes, 64);
      buf.fill((byte) 1);
      // Compile the read loop before timing: an interpreted vector loop is 30x slower.
      for (int i = 0; i < 2000; i++) {
        sum(buf, 0, 1 << 16);
      }
      double best = 0;
      for (int r = 0; r < runs; r++) {
        long start = System.nanoTime();
        sumAll(buf, threads);
        double seconds = (System.nanoTime() - start) / 1e9;
        best = Math.max(best, bytes / seconds);
      }
      return best;
    }
  }

  private static void sumAll(MemorySegment buf, int threads) throws InterruptedException {
    long per = buf.byteSize() / threads / 64 * 64;
    List<Thread> workers = new ArrayList<>();
    float[] sinks = new float[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      long from = t * per;
      long to = t == threads - 1 ? buf.byteSize() : from + per;
      workers.add(Thread.ofPlatform().start(() -> sinks[id] = sumChunked(buf, from, to)));
    }
    for (Thread w : workers) {
      w.join();
    }
    if (Float.isNaN(sinks[0])) {
      System.out.println("unexpected NaN"); // keeps the sum alive against dead-code elimination
    }
  }

  /** Sums in 1 MiB calls, so the compiled {@link #sum} runs rather than an OSR of a cold loop. */
  private static float sumChunked(MemorySegment buf, long from, long to) {
    float total = 0;
    for (long i = from; i < to; i += 1 << 20) {
      total += sum(buf, i, Math.min(to, i + (1 << 20)));
    }
    return total;
  }

  private static float sum(MemorySegment buf, long from, long to) {
    int step = F.vectorByteSize();
    FloatVector a = FloatVector.zero(F);
    FloatVector b = FloatVector.zero(F);
    FloatVector c = FloatVector.zero(F);
    FloatVector d = FloatVector.zero(F);
    long i = from;
    for (; i + 4L * step <= to; i += 4L * step) {
      a = a.add(FloatVector.fromMemorySegment(F, buf, i, ByteOrder.LITTLE_ENDIAN));
      b = b.add(FloatVector.fromMemorySegment(F, buf, i + step, ByteOrder.LITTLE_ENDIAN));
      c = c.add(FloatVector.fromMemorySegment(F, buf, i + 2L * step, ByteOrder.LITTLE_ENDIAN));
      d = d.add(FloatVector.fromMemorySegment(F, buf, i + 3L * step, ByteOrder.LITTLE_ENDIAN));
    }
    return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
  }
}
