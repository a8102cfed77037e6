package dev.cairn.worker.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Manual micro-benchmark (not a test): decode-shaped BF16 mat-vecs over more weights than the
 * caches hold, against a plain vector read of the same bytes in the same process. Run with {@code
 * java --add-modules jdk.incubator.vector -cp worker/target/test-classes:worker/target/classes
 * ...}.
 */
public final class Bf16MatmulBench {

  private Bf16MatmulBench() {}

  /** Args: [copies] [rounds]. */
  public static void main(String[] args) throws Exception {
    int copies = args.length > 0 ? Integer.parseInt(args[0]) : 24;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int rows = 4864;
    int in = 896;
    Arena arena = Arena.ofShared();
    MemorySegment[] ws = new MemorySegment[copies];
    Random rnd = new Random(1);
    for (int c = 0; c < copies; c++) {
      ws[c] = arena.allocate((long) rows * in * 2, 64);
      for (long i = 0; i < (long) rows * in; i++) {
        float f = (float) rnd.nextGaussian() * 0.02f;
        ws[c].setAtIndex(VectorSupport.LE16, i, (short) (Float.floatToRawIntBits(f) >>> 16));
      }
    }
    MemorySegment x = arena.allocate((long) in * 4, 64);
    MemorySegment out = arena.allocate((long) rows * 4, 64);
    for (int i = 0; i < in; i++) {
      x.setAtIndex(VectorSupport.LE, i, (float) rnd.nextGaussian());
    }
    long bytes = (long) copies * rows * in * 2;
    try (CpuThreadPool pool1 = new CpuThreadPool(1);
        CpuThreadPool pool2 = new CpuThreadPool(2)) {
      for (int round = 0; round < rounds; round++) {
        double read1 = time(() -> readAll(ws, pool1), bytes);
        double mm1 = time(() -> matvecAll(ws, x, in, rows, out, pool1), bytes);
        double read2 = time(() -> readAll(ws, pool2), bytes);
        double mm2 = time(() -> matvecAll(ws, x, in, rows, out, pool2), bytes);
        System.out.printf(
            "1T read %.1f GB/s matvec %.1f (%.2f) | 2T read %.1f matvec %.1f (%.2f)%n",
            read1, mm1, mm1 / read1, read2, mm2, mm2 / read2);
      }
    }
  }

  private static double time(Runnable r, long bytes) {
    long t0 = System.nanoTime();
    r.run();
    return bytes / (double) (System.nanoTime() - t0);
  }

  private static void matvecAll(
      MemorySegment[] ws, MemorySegment x, int in, int rows, MemorySegment out, CpuThreadPool p) {
    for (MemorySegment w : ws) {
      MemorySegment xp = Bf16Matmul.splitEvenOdd(x, 1, in);
      TiledMatmul.Operands ops =
          TiledMatmul.Operands.of(x, xp, w, null, in, Bf16Matmul.CHUNK, rows, out);
      p.parallelFor(rows, 16, 16, (r0, r1) -> Bf16Matmul.TILES.multiply(ops, 1, r0, r1));
    }
  }

  private static volatile float sink;

  private static void readAll(MemorySegment[] ws, CpuThreadPool p) {
    // Two vectors per step, whatever the vector width (32 bytes with AVX2, 64 with AVX-512).
    int vector = VectorSupport.F.vectorByteSize();
    int step = 2 * vector;
    for (MemorySegment w : ws) {
      long n = w.byteSize() / step;
      p.parallelFor(
          (int) n,
          16,
          1,
          (a, b) -> {
            FloatVector s0 = FloatVector.zero(VectorSupport.F),
                s1 = FloatVector.zero(VectorSupport.F);
            for (long i = (long) a * step; i < (long) b * step; i += step) {
              s0 = s0.add(VectorSupport.xf(w, i));
              s1 = s1.add(VectorSupport.xf(w, i + vector));
            }
            sink += s0.add(s1).reduceLanes(VectorOperators.ADD);
          });
    }
  }
}
