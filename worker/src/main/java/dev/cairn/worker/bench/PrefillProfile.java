package dev.cairn.worker.bench;

import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Where a prefill's time goes: the executor runs whole prompts on the CPU backend seen through a
 * proxy that times every backend call, and the report gives each operation's milliseconds per
 * prefill (matrix products named by their weight's shape; a fused call by its count and first
 * shape) beside the whole. Timing is per call on the executor's thread, so it includes each call's
 * hand-off to the compute threads; a call runs no faster or slower for being timed (the proxy adds
 * one reflective call, microseconds against milliseconds).
 *
 * <p>{@code make kernel-bench ARGS="prefill TOKENS THREADS FORMAT"} on the bench model (the 0.5B
 * shape {@code make bench} generates), FORMAT {@code bf16} (the checkpoint's), {@code q8_0} or
 * {@code q4_0}.
 */
public final class PrefillProfile {

  /**
   * Prefills run before timing, so that every kernel runs C2's code. After eight, attention took
   * two to four times its warm time in some processes; that was a boxed exponential rather than
   * compilation (the record's "Softmax exponentials boxed"), but the count stays, so figures
   * compare with earlier runs.
   */
  static final int WARM_PREFILLS = 16;

  /** Prefills timed and averaged. */
  static final int TIMED_PREFILLS = 8;

  private PrefillProfile() {}

  /**
   * Milliseconds per prefill of each backend operation, and {@code "prefill"} for the whole, over
   * {@code timed} prompts of {@code tokens} random token ids after {@code warm} untimed ones.
   */
  static Map<String, Double> profile(
      Path modelDir, String quantization, int tokens, int threads, int warm, int timed) {
    CallTimes times = new CallTimes();
    CpuBackend cpu = new CpuBackend(threads, true);
    Backend timedCpu = times.around(cpu);
    int blocks = (tokens + 15) / 16;
    try (TransformerExecutor ex =
        HostWeights.load(modelDir, "auto", quantization).executorOn(timedCpu, 2 * blocks)) {
      Random random = new Random(1);
      for (int p = 0; p < warm + timed; p++) {
        int[] ids = new int[tokens];
        Arrays.setAll(ids, i -> random.nextInt(ex.vocabSize()));
        int first = (p % 2) * blocks; // alternate halves of the pool: no leftover to reuse
        int[] table = new int[blocks];
        Arrays.setAll(table, i -> first + i);
        times.on = p >= warm;
        long start = System.nanoTime();
        ex.execute(List.of(new SequenceChunk(ids, 0, table, true)));
        if (times.on) {
          times.add("prefill", System.nanoTime() - start);
        }
      }
      times.on = false;
    }
    Map<String, Double> out = new TreeMap<>();
    times.nanos.forEach((op, n) -> out.put(op, n / 1e6 / timed));
    return out;
  }

  public static void main(String[] args) throws Exception {
    int tokens = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    String format = args[2].equals("bf16") ? "none" : args[2];
    Path modelDir =
        BenchModelGenerator.ensure(
            Path.of(args.length > 3 ? args[3] : "bench-out/models/qwen2.5-0.5b-shape-bf16"));
    Map<String, Double> ms =
        profile(modelDir, format, tokens, threads, WARM_PREFILLS, TIMED_PREFILLS);
    double total = ms.get("prefill");
    System.out.printf(
        "%s prefill of %d tokens, %d threads: %.1f ms (%d timed after %d)%n",
        args[2], tokens, threads, total, TIMED_PREFILLS, WARM_PREFILLS);
    ms.forEach(
        (op, t) -> {
          if (!op.equals("prefill")) {
            System.out.printf("  %-28s %8.2f ms  %5.1f%%%n", op, t, 100 * t / total);
          }
        });
  }

  /** Nanoseconds per backend operation while {@link #on}. */
  static final class CallTimes {
    final Map<String, Long> nanos = new TreeMap<>();
    volatile boolean on;

    synchronized void add(String op, long n) {
      nanos.merge(op, n, Long::sum);
    }

    Backend around(Backend backend) {
      return (Backend)
          Proxy.newProxyInstance(
              Backend.class.getClassLoader(),
              new Class<?>[] {Backend.class},
              (proxy, method, a) -> {
                long start = System.nanoTime();
                try {
                  return method.invoke(backend, a);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                } finally {
                  if (on) {
                    add(name(method.getName(), a), System.nanoTime() - start);
                  }
                }
              });
    }

    /** A matrix product named by its weight's shape, so the projections tell apart. */
    private static String name(String method, Object[] a) {
      if (a == null || !method.startsWith("matmul")) {
        return method;
      }
      if (a[1] instanceof DeviceTensor[] w) {
        return method + " " + w.length + " × " + Arrays.toString(w[0].shape());
      }
      return method + " " + Arrays.toString(((DeviceTensor) a[1]).shape());
    }
  }
}
