package dev.cairn.worker.bench;

import dev.cairn.worker.backend.AttentionBatch;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.executor.PagedKvCache;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The CPU matmul kernels alone, for comparing two builds of a kernel (the alternated {@code Micro}
 * and step figures of docs/cpu-engine-performance.md come from here).
 *
 * <ul>
 *   <li>{@code matrix ROWS IN TOKENS THREADS FORMAT [COPIES]}: {@code out = x · Wᵀ} over {@code
 *       COPIES} random matrices in turn (8 by default, so a 4864 × 896 BF16 set is 70 MB and comes
 *       from memory; 1 keeps it in cache), GFMA/s per round.
 *   <li>{@code step TOKENS THREADS FORMAT}: every projection of the 24 layers of a Qwen2.5-0.5B
 *       shape (q/k/v and gate/up fused as the executor runs them) and the output head, one step of
 *       {@code TOKENS} tokens, ms per step and GFMA/s per projection.
 *   <li>{@code attention CONTEXT ROWS THREADS [KV]}: the same shape's attention (14 query heads
 *       over 2 key/value heads of 64) in its 24 layers, {@code ROWS} query rows (1: a decode step)
 *       after {@code CONTEXT} cached positions, in caches the backend allocates and writes as the
 *       executor does (blocks of 16 rows, scattered), {@code KV} {@code f32} (default) or {@code
 *       bf16}, µs per layer and GB/s of keys and values.
 *   <li>{@code prefill TOKENS THREADS FORMAT}: {@link PrefillProfile}, a whole prefill of the bench
 *       model through the executor, milliseconds per backend operation.
 *   <li>{@code quantize ROWS IN FORMAT}: a random BF16 matrix quantized to {@code FORMAT} ({@code
 *       q8_0} or {@code q4_0}) as a load does from BF16 safetensors ({@link QuantBlocks#quantize},
 *       on the common pool's threads), the fastest and the median pass of each round in ms: passes
 *       that zero fresh pages for their output run slower, and the fastest shows the arithmetic.
 * </ul>
 *
 * FORMAT is {@code bf16}, {@code q8_0} or {@code q4_0}; weights are random, five rounds of two
 * seconds after three of warm-up.
 */
public final class MatmulBench {

  private static final int HIDDEN = 896;
  private static final int KV = 128;
  private static final int FFN = 4864;
  private static final int VOCAB = 151_936;
  private static final int LAYERS = 24;
  private static final int HEAD = 64;
  private static final int BLOCK = PagedKvCache.BLOCK_SIZE;
  private static final int WARM_ROUNDS = 3;
  private static final int ROUNDS = 5;
  private static final long ROUND_NANOS = 2_000_000_000L;

  private MatmulBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: MatmulBench matrix ROWS IN TOKENS THREADS FORMAT [COPIES]"
              + " | step TOKENS THREADS FORMAT | attention CONTEXT ROWS THREADS [f32|bf16]"
              + " | prefill TOKENS THREADS FORMAT | quantize ROWS IN FORMAT");
      System.exit(2);
    }
    switch (args[0]) {
      case "matrix" ->
          matrix(
              Integer.parseInt(args[1]),
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]),
              format(args[5]),
              args.length > 6 ? Integer.parseInt(args[6]) : 8);
      case "step" -> step(Integer.parseInt(args[1]), Integer.parseInt(args[2]), format(args[3]));
      case "attention" ->
          attention(
              Integer.parseInt(args[1]),
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              args.length > 4 && args[4].equals("bf16") ? DType.BF16 : DType.F32);
      case "prefill" -> PrefillProfile.main(Arrays.copyOfRange(args, 1, args.length));
      case "quantize" ->
          quantize(Integer.parseInt(args[1]), Integer.parseInt(args[2]), format(args[3]));
      default ->
          throw new IllegalArgumentException(
              "mode matrix, step, attention, prefill or quantize, not " + args[0]);
    }
  }

  private static void matrix(int rows, int in, int tokens, int threads, DType format, int copies) {
    Random random = new Random(1);
    try (CpuBackend cpu = new CpuBackend(threads, true)) {
      Arena arena = Arena.ofAuto();
      DeviceTensor[] w = new DeviceTensor[copies];
      for (int c = 0; c < copies; c++) {
        w[c] = cpu.upload(weights(arena, random, rows, in, format));
      }
      HostTensor x = activations(arena, random, tokens, in);
      HostTensor out = HostTensor.allocateF32(arena, tokens, rows);
      double work = (double) rows * in * tokens * copies;
      for (int r = 0; r < WARM_ROUNDS + ROUNDS; r++) {
        long n = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < ROUND_NANOS) {
          for (DeviceTensor m : w) {
            cpu.matmul(x, m, null, tokens, out);
          }
          n++;
        }
        double s = (System.nanoTime() - start) / 1e9;
        if (r >= WARM_ROUNDS) {
          System.out.printf(
              "%s %d x %d, %d tokens, %d threads: %.1f GFMA/s%n",
              format, rows, in, tokens, threads, n * work / s / 1e9);
        }
      }
    }
  }

  private static void quantize(int rows, int in, DType format) {
    if (format == DType.BF16) {
      throw new IllegalArgumentException("quantize takes q8_0 or q4_0");
    }
    HostTensor bf16 = weights(Arena.ofAuto(), new Random(1), rows, in, DType.BF16);
    for (int r = 0; r < WARM_ROUNDS + ROUNDS; r++) {
      List<Double> passes = new ArrayList<>();
      long start = System.nanoTime();
      while (System.nanoTime() - start < ROUND_NANOS) {
        try (Arena out = Arena.ofShared()) {
          long t0 = System.nanoTime();
          QuantBlocks.quantize(bf16, format, out);
          passes.add((System.nanoTime() - t0) / 1e6);
        }
      }
      if (r >= WARM_ROUNDS) {
        Collections.sort(passes);
        System.out.printf(
            "%s from BF16, %d x %d: fastest %.2f ms, median %.2f ms (%d passes)%n",
            format, rows, in, passes.get(0), passes.get(passes.size() / 2), passes.size());
      }
    }
  }

  private static void step(int tokens, int threads, DType format) {
    Random random = new Random(1);
    int[][] shapes = {
      {HIDDEN, HIDDEN},
      {KV, HIDDEN},
      {KV, HIDDEN},
      {HIDDEN, HIDDEN},
      {FFN, HIDDEN},
      {FFN, HIDDEN},
      {HIDDEN, FFN}
    };
    String[] names = {"qkv", "o", "gate/up", "down", "head"};
    double[] work = {
      (HIDDEN + 2.0 * KV) * HIDDEN * LAYERS,
      (double) HIDDEN * HIDDEN * LAYERS,
      2.0 * FFN * HIDDEN * LAYERS,
      (double) HIDDEN * FFN * LAYERS,
      (double) VOCAB * HIDDEN
    };
    try (CpuBackend cpu = new CpuBackend(threads, true)) {
      Arena arena = Arena.ofAuto();
      DeviceTensor[][] w = new DeviceTensor[LAYERS][shapes.length];
      for (DeviceTensor[] layer : w) {
        for (int i = 0; i < shapes.length; i++) {
          layer[i] = cpu.upload(weights(arena, random, shapes[i][0], shapes[i][1], format));
        }
      }
      DeviceTensor head = cpu.upload(weights(arena, random, VOCAB, HIDDEN, format));
      HostTensor x = activations(arena, random, tokens, HIDDEN);
      HostTensor xf = activations(arena, random, tokens, FFN);
      HostTensor q = HostTensor.allocateF32(arena, tokens, HIDDEN);
      HostTensor k = HostTensor.allocateF32(arena, tokens, KV);
      HostTensor v = HostTensor.allocateF32(arena, tokens, KV);
      HostTensor o = HostTensor.allocateF32(arena, tokens, HIDDEN);
      HostTensor g = HostTensor.allocateF32(arena, tokens, FFN);
      HostTensor u = HostTensor.allocateF32(arena, tokens, FFN);
      HostTensor d = HostTensor.allocateF32(arena, tokens, HIDDEN);
      HostTensor logits = HostTensor.allocateF32(arena, tokens, VOCAB);
      for (int r = 0; r < WARM_ROUNDS + ROUNDS; r++) {
        long[] nanos = new long[names.length];
        int n = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < ROUND_NANOS) {
          for (DeviceTensor[] l : w) {
            long t0 = System.nanoTime();
            cpu.matmuls(
                x,
                new DeviceTensor[] {l[0], l[1], l[2]},
                new DeviceTensor[3],
                tokens,
                new DeviceTensor[] {q, k, v});
            long t1 = System.nanoTime();
            cpu.matmul(x, l[3], null, tokens, o);
            long t2 = System.nanoTime();
            cpu.matmuls(
                x,
                new DeviceTensor[] {l[4], l[5]},
                new DeviceTensor[2],
                tokens,
                new DeviceTensor[] {g, u});
            long t3 = System.nanoTime();
            cpu.matmul(xf, l[6], null, tokens, d);
            long t4 = System.nanoTime();
            nanos[0] += t1 - t0;
            nanos[1] += t2 - t1;
            nanos[2] += t3 - t2;
            nanos[3] += t4 - t3;
          }
          long t5 = System.nanoTime();
          cpu.matmul(x, head, null, tokens, logits);
          nanos[4] += System.nanoTime() - t5;
          n++;
        }
        if (r >= WARM_ROUNDS) {
          StringBuilder line =
              new StringBuilder(
                  String.format(
                      "%s step, %d tokens, %d threads: %.1f ms",
                      format, tokens, threads, (System.nanoTime() - start) / 1e6 / n));
          for (int i = 0; i < names.length; i++) {
            line.append(
                String.format(
                    "; %s %.1f ms, %.0f GFMA/s",
                    names[i], nanos[i] / 1e6 / n, work[i] * tokens * n / nanos[i]));
          }
          System.out.println(line);
        }
      }
    }
  }

  private static void attention(int context, int rows, int threads, DType kv) {
    Random random = new Random(1);
    int heads = HIDDEN / HEAD;
    int kvHeads = KV / HEAD;
    int positions = context + rows;
    int blocks = (positions + BLOCK - 1) / BLOCK;
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < blocks; i++) {
      ids.add(i);
    }
    Collections.shuffle(ids, random);
    int[] table = ids.stream().mapToInt(Integer::intValue).toArray();
    int[] slots = new int[positions];
    for (int p = 0; p < positions; p++) {
      slots[p] = table[p / BLOCK] * BLOCK + p % BLOCK;
    }
    AttentionBatch batch =
        new AttentionBatch(
            new int[] {0},
            new int[] {rows},
            new int[] {context},
            new int[][] {table},
            BLOCK,
            heads,
            kvHeads,
            HEAD);
    try (CpuBackend cpu = new CpuBackend(threads, true)) {
      Arena arena = Arena.ofAuto();
      HostTensor k = activations(arena, random, positions, KV);
      HostTensor v = activations(arena, random, positions, KV);
      DeviceTensor[] keys = new DeviceTensor[LAYERS];
      DeviceTensor[] values = new DeviceTensor[LAYERS];
      for (int l = 0; l < LAYERS; l++) {
        keys[l] = cpu.allocateKvCache(blocks * BLOCK, kvHeads, HEAD, kv);
        values[l] = cpu.allocateKvCache(blocks * BLOCK, kvHeads, HEAD, kv);
        cpu.writeKv(k, v, keys[l], values[l], slots);
      }
      HostTensor q = activations(arena, random, rows, HIDDEN);
      HostTensor out = HostTensor.allocateF32(arena, rows, HIDDEN);
      double bytes = 2.0 * positions * KV * kv.bytes();
      for (int r = 0; r < WARM_ROUNDS + ROUNDS; r++) {
        int n = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < ROUND_NANOS) {
          for (int l = 0; l < LAYERS; l++) {
            cpu.attention(q, keys[l], values[l], batch, out);
          }
          n++;
        }
        double us = (System.nanoTime() - start) / 1e3 / n / LAYERS;
        if (r >= WARM_ROUNDS) {
          System.out.printf(
              "attention, %d rows after %d positions, %d threads, %s KV: %.1f µs a layer, %.1f GB/s"
                  + " of keys and values%n",
              rows, context, threads, kv.userName(), us, bytes / us / 1e3);
        }
      }
    }
  }

  private static DType format(String name) {
    return switch (name) {
      case "bf16" -> DType.BF16;
      case "q8_0" -> DType.Q8_0;
      case "q4_0" -> DType.Q4_0;
      default -> throw new IllegalArgumentException("format bf16, q8_0 or q4_0, not " + name);
    };
  }

  /** Gaussian weights (σ 0.05) in {@code format}: BF16 rounded, or quantized from F32. */
  private static HostTensor weights(Arena arena, Random random, int rows, int in, DType format) {
    long n = (long) rows * in;
    if (format == DType.BF16) {
      MemorySegment s = arena.allocate(2 * n, 64);
      for (long i = 0; i < n; i++) {
        s.setAtIndex(
            ValueLayout.JAVA_SHORT, i, DType.floatToBf16((float) random.nextGaussian() * 0.05f));
      }
      return new HostTensor(DType.BF16, new int[] {rows, in}, s);
    }
    try (Arena scratch = Arena.ofShared()) {
      HostTensor f32 = HostTensor.allocateF32(scratch, rows, in);
      for (long i = 0; i < n; i++) {
        f32.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian() * 0.05f);
      }
      return QuantBlocks.quantize(f32, format, arena);
    }
  }

  private static HostTensor activations(Arena arena, Random random, int tokens, int in) {
    HostTensor x = HostTensor.allocateF32(arena, tokens, in);
    for (long i = 0; i < (long) tokens * in; i++) {
      x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
    }
    return x;
  }
}
