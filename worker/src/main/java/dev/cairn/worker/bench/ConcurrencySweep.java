package dev.cairn.worker.bench;

import dev.cairn.worker.engine.Engine;
import dev.cairn.worker.engine.GenerationRequest;
import dev.cairn.worker.engine.RequestGroup;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.engine.sampling.TokenConstraint;
import dev.cairn.worker.lora.AdapterLease;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Drives an engine with N simultaneous greedy requests (distinct random prompts, fixed output
 * length) and measures aggregate output throughput and per-request TTFT and TPOT.
 */
final class ConcurrencySweep {

  private final Engine engine;
  private final int vocabSize;
  private final int promptTokens;
  private final int outputTokens;
  private int nextId;

  ConcurrencySweep(Engine engine, int vocabSize, int promptTokens, int outputTokens) {
    this.engine = engine;
    this.vocabSize = vocabSize;
    this.promptTokens = promptTokens;
    this.outputTokens = outputTokens;
  }

  /** Runs {@code streams} requests at once on the base model and waits for all of them. */
  SweepResult run(int streams) throws InterruptedException {
    return run(streams, i -> null);
  }

  /**
   * Runs {@code streams} requests at once, request {@code i} with the adapter lease {@code
   * adapterOf(i)} (null: the base model), and waits for all of them.
   */
  SweepResult run(int streams, IntFunction<AdapterLease> adapterOf) throws InterruptedException {
    return run(streams, adapterOf, null);
  }

  /**
   * Runs {@code streams} requests at once on the base model, each under a fresh constraint from
   * {@code constraint} (null: free), and waits for all of them. Constrained requests stop at EOS
   * once their output is complete; free ones ignore EOS, so they run to the output length.
   */
  SweepResult run(int streams, Supplier<TokenConstraint> constraint) throws InterruptedException {
    return run(streams, i -> null, constraint);
  }

  private SweepResult run(
      int streams, IntFunction<AdapterLease> adapterOf, Supplier<TokenConstraint> constraint)
      throws InterruptedException {
    Random random = new Random(streams * 7919L + nextId);
    long[] first = new long[streams];
    long[] last = new long[streams];
    long[] arrival = new long[streams];
    int[] generated = new int[streams];
    CountDownLatch done = new CountDownLatch(streams);
    long start = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      int idx = i;
      int[] prompt = random.ints(promptTokens, 0, vocabSize).toArray();
      SamplingParams params =
          new SamplingParams(
              0.0,
              1.0,
              0,
              0.0,
              null,
              0,
              0,
              1.0,
              outputTokens,
              List.of(),
              Set.of(),
              constraint == null,
              null,
              Map.of(),
              null,
              null);
      if (constraint != null) {
        params = params.withConstraint(constraint);
      }
      arrival[i] = System.nanoTime();
      engine.submit(
          new GenerationRequest(
              "sweep-" + nextId++,
              prompt,
              params,
              arrival[i],
              adapterOf.apply(i),
              RequestGroup.single()),
          (RequestOutput out) -> {
            long now = System.nanoTime();
            if (out.newTokenIds().length > 0 && first[idx] == 0) {
              first[idx] = now;
            }
            if (out.finished()) {
              last[idx] = now;
              generated[idx] = out.generatedTokens();
              done.countDown();
            }
          });
    }
    if (!done.await(30, TimeUnit.MINUTES)) {
      throw new IllegalStateException("sweep at " + streams + " streams did not finish");
    }
    long end = Arrays.stream(last).max().orElse(start);
    double[] ttft = new double[streams];
    double[] tpot = new double[streams];
    long tokens = 0;
    double decodeRate = 0;
    for (int i = 0; i < streams; i++) {
      ttft[i] = (first[i] - arrival[i]) / 1e9;
      tpot[i] = generated[i] > 1 ? (last[i] - first[i]) / 1e9 / (generated[i] - 1) : 0;
      decodeRate += tpot[i] > 0 ? 1 / tpot[i] : 0;
      tokens += generated[i];
    }
    return new SweepResult(
        streams,
        tokens / ((end - start) / 1e9),
        percentile(ttft, 0.5),
        percentile(ttft, 0.99),
        percentile(tpot, 0.5),
        percentile(tpot, 0.99),
        decodeRate);
  }

  static double percentile(double[] values, double q) {
    double[] s = values.clone();
    Arrays.sort(s);
    int idx = (int) Math.ceil(q * s.length) - 1;
    return s[Math.max(0, Math.min(s.length - 1, idx))];
  }

  /** Streams to sweep, ascending. */
  static List<Integer> levels(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      out.add(Integer.parseInt(s.trim()));
    }
    return out;
  }
}
