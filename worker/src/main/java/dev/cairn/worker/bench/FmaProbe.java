package dev.cairn.worker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's F32 fused multiply-add rate with the Vector API: the compute ceiling that
 * batching meets once every weight read is shared by enough tokens.
 *
 * <p>Sixteen independent accumulators. Until 2026-12 the probe ran eight, enough only if an FMA's
 * latency times the FMA ports is at most eight: on this Zen 5 VM one thread measured 97–101 GFMA/s
 * with eight against 113–117 with twelve or sixteen (alternated in one JVM), and a 12-row matmul
 * tile in cache beat the eight-chain probe, so every ratio to it read about 15% high. {@link
 * #measureEightChains} keeps the old figure for reports that compare the two.
 */
final class FmaProbe {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final long ITERATIONS = 20_000_000L;

  private FmaProbe() {}

  /** Best of {@code runs}: F32 FMAs per second over all {@code threads}, sixteen chains each. */
  static double measure(int threads, int runs) throws InterruptedException {
    return best(threads, runs, FmaProbe::sixteen, 16);
  }

  /** The probe as it was before 2026-12: eight chains per thread, below the peak on Zen 5. */
  static double measureEightChains(int threads, int runs) throws InterruptedException {
    return best(threads, runs, FmaProbe::eight, 8);
  }

  private static double best(int threads, int runs, LongFunction<Float> kernel, int chains)
      throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      kernel.apply(200_000); // compile before timing
    }
    double best = 0;
    for (int r = 0; r < runs; r++) {
      List<Thread> workers = new ArrayList<>();
      float[] sinks = new float[threads];
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(Thread.ofPlatform().start(() -> sinks[id] = kernel.apply(ITERATIONS)));
      }
      for (Thread w : workers) {
        w.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (Float.isNaN(sinks[0])) {
        System.out.println("unexpected NaN"); // keeps the result alive
      }
      best = Math.max(best, (double) threads * ITERATIONS * chains * F.length() / seconds);
    }
    return best;
  }

  private static float eight(long iterations) {
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
        .reduceLanes(VectorOperators.ADD);
  }

  private static float sixteen(long iterations) {
    FloatVector m = FloatVector.broadcast(F, 0.999999f);
    FloatVector c = FloatVector.broadcast(F, 1e-7f);
    FloatVector a0 = FloatVector.broadcast(F, 1f);
    FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    FloatVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
    for (long i = 0; i < iterations; i++) {
      a0 = a0.fma(m, c);
      a1 = a1.fma(m, c);
      a2 = a2.fma(m, c);
      a3 = a3.fma(m, c);
      a4 = a4.fma(m, c);
      a5 = a5.fma(m, c);
      a6 = a6.fma(m, c);
      a7 = a7.fma(m, c);
      a8 = a8.fma(m, c);
      a9 = a9.fma(m, c);
      a10 = a10.fma(m, c);
      a11 = a11.fma(m, c);
      a12 = a12.fma(m, c);
      a13 = a13.fma(m, c);
      a14 = a14.fma(m, c);
      a15 = a15.fma(m, c);
    }
    FloatVector low = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7);
    FloatVector high = a8.add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
    return low.add(high).reduceLanes(VectorOperators.ADD);
  }
}
