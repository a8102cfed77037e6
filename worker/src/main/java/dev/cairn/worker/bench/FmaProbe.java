package dev.cairn.worker.bench;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's F32 fused multiply-add rate with the Vector API: the compute ceiling that
 * batching meets once every weight read is shared by enough tokens.
 */
final class FmaProbe {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  // Eight independent accumulators hide the FMA latency (4-5 cycles, 2 ports).
  private static final int CHAINS = 8;

  private FmaProbe() {}

  /** Best of {@code runs}: F32 FMAs per second over all {@code threads}. */
  static double measure(int threads, int runs) throws InterruptedException {
    long iterations = 20_000_000L;
    for (int i = 0; i < 5; i++) {
      kernel(200_000); // compile before timing
    }
    double best = 0;
    for (int r = 0; r < runs; r++) {
      List<Thread> workers = new ArrayList<>();
      float[] sinks = new float[threads];
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(Thread.ofPlatform().start(() -> sinks[id] = kernel(iterations)));
      }
      for (Thread w : workers) {
        w.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (Float.isNaN(sinks[0])) {
        System.out.println("unexpected NaN"); // keeps the result alive
      }
      best = Math.max(best, (double) threads * iterations * CHAINS * F.length() / seconds);
    }
    return best;
  }

  private static float kernel(long iterations) {
    FloatVector m = FloatVector.broadcast(F, 0.999999f);
    FloatVector c = FloatVector.broadcast(F, 1e-7f);
    FloatVector a0 = FloatVector.broadcast(F, 1f);
    FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (long i = 0; i < iterations; i++) {
      a0 = a0.fma(m, c);
      a1 = a1.fma(m, c);
      a2 = a2.fma(m, c);
      a3 = a3.fma(m, c);
      a4 = a4.fma(m, c);
      a5 = a5.fma(m, c);
      a6 = a6.fma(m, c);
      a7 = a7.fma(m, c);
    }
    return a0.add(a1)
        .add(a2)
        .add(a3)
        .add(a4)
        .add(a5)
        .add(a6)
        .add(a7)
        .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
