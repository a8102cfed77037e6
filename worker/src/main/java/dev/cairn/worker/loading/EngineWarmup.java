package dev.cairn.worker.loading;

import dev.cairn.worker.engine.ModelExecutor;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.engine.sampling.SampleResult;
import dev.cairn.worker.engine.sampling.Sampler;
import dev.cairn.worker.engine.sampling.SamplingState;
import dev.cairn.worker.lora.LoraWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * Runs synthetic steps through a freshly placed model before the worker reports ready, so that the
 * first requests a new replica takes (often a burst: the autoscaler adds replicas under load) find
 * its kernels compiled. On a cold JVM the first 64-token prefill of the 0.5B-shaped BF16 model took
 * 3.9 s against 0.16 s warm, and steps kept their own kernels cold until they first ran: the
 * kernels differ by the number of tokens in a step (decode tiles for one token, four- and
 * eight-token tiles, the four-token tile padded for two or three, widened slabs for prompts).
 *
 * <p>A round, on a thread of its own, is one prompt's prefill in two chunks and its decode (its
 * tokens drawn by the sampler with temperature, top-p and logprobs), then decode steps of three and
 * of sixteen streams at once, each bounded by the engine's limits and the KV pool. Rounds repeat
 * until one is no more than a tenth faster than the round before, at most {@link #MAX_ROUNDS} of
 * them, and none starts past {@link #BUDGET_NANOS}. Warm-up writes only KV blocks the engine has
 * not handed out yet: every chunk writes its positions before it reads them, so nothing of it is
 * visible to the requests that follow.
 *
 * <p>Where LoRA is on, the prompt runs on an adapter and the streams are spread over the base model
 * and the adapters (no more distinct adapters in a step than the engine allows), so the LoRA
 * kernels are compiled too and each adapter has run once: on the 0.5B shape a first LoRA request
 * after a base-only warm-up took 1.1–1.5 s against 0.6–0.9 s for later ones.
 */
public final class EngineWarmup {

  /** Rounds at most: the 0.5B model's rounds stopped shrinking after four to six. */
  static final int MAX_ROUNDS = 6;

  /** No round starts after this long: a large model on few cores warms up in its first requests. */
  static final long BUDGET_NANOS = 60_000_000_000L;

  /** A round this much faster than the one before means the JIT is still compiling. */
  static final double STILL_FASTER = 0.9;

  private static final int PROMPT_TOKENS = 64;

  /**
   * The prompt's last chunk. Kernels pick tiles by the tokens of a step, and C2 compiles only the
   * branches it has seen taken: after a warm-up of 64-, 16-, 4- and 1-token steps a first 14-token
   * BF16 prompt took 0.47 s against 0.15–0.17 s later, a first 40-token Q8_0 one 0.45 s against
   * 0.22. A 35-token head runs every BF16 tile (eight, six, four, one; four and one on AVX2) and a
   * quantized slab's pair of 16-token blocks and a lone ragged one; the 29 tokens after it, under
   * the slab's 32, every quantized panel tile (eight, four, one; on AVX2 Q4_0's slab starts at 16
   * and takes them too), and they attend to cached positions as after a prefix-cache hit.
   */
  private static final int PROMPT_TAIL_TOKENS = 29;

  private static final int DECODE_STEPS = 4;

  /**
   * Streams decoded together: three runs the quantized and BF16 tiles' padded four-token path (a
   * last two or three tokens of a step), which no other shape of a round takes; sixteen the
   * eight-token tiles and, with LoRA, many adapters at once.
   */
  private static final int[] STREAMS = {3, 16};

  private final ModelExecutor executor;
  private final Plan plan;
  private final LongSupplier clock;
  private final Sampler sampler = new Sampler();
  private final List<LoraWeights> adapters;
  private final int adaptersPerStep;

  /**
   * The shapes one round runs.
   *
   * @param promptTokens tokens of the prompt (0: none fit)
   * @param decodeSteps steps of the prompt's sequence (the prompt's own the first) and of each
   *     group of streams
   * @param streams sizes of the groups of streams decoded together, each above one
   */
  public record Plan(int promptTokens, int decodeSteps, int[] streams) {

    /** Tokens of the prompt's second chunk, prefilled after the rest (0: one chunk). */
    public int promptTail() {
      return promptTokens >= 2 ? Math.min(PROMPT_TAIL_TOKENS, promptTokens / 2) : 0;
    }

    /** Whether the round runs anything at all. */
    boolean runsAnything() {
      return decodeSteps > 0;
    }
  }

  /**
   * What warm-up did.
   *
   * @param plan the shapes of each round
   * @param roundNanos each round's duration, in the order run
   * @param adapters the LoRA adapters the steps ran, by name (empty: the base model only)
   */
  public record Report(Plan plan, List<Long> roundNanos, List<String> adapters) {

    /** Total time spent, in nanoseconds. */
    public long totalNanos() {
      return roundNanos.stream().mapToLong(Long::longValue).sum();
    }
  }

  EngineWarmup(ModelExecutor executor, Plan plan, LongSupplier clock) {
    this(executor, plan, clock, List.of(), 0);
  }

  /**
   * @param adapters LoRA adapters to run as well (empty: none)
   * @param adaptersPerStep the most distinct adapters one step may hold (maxLorasPerBatch)
   */
  EngineWarmup(
      ModelExecutor executor,
      Plan plan,
      LongSupplier clock,
      List<LoraWeights> adapters,
      int adaptersPerStep) {
    if (!adapters.isEmpty() && adaptersPerStep < 1) {
      throw new IllegalArgumentException("adaptersPerStep " + adaptersPerStep + " with adapters");
    }
    this.executor = executor;
    this.plan = plan;
    this.clock = clock;
    this.adapters = List.copyOf(adapters);
    this.adaptersPerStep = adaptersPerStep;
  }

  /** Warms {@code executor} up on the base model within the engine's limits. */
  public static Report run(
      ModelExecutor executor, int maxNumSeqs, int maxNumBatchedTokens, int maxModelLen) {
    return run(executor, maxNumSeqs, maxNumBatchedTokens, maxModelLen, List.of(), 0);
  }

  /**
   * Warms {@code executor} up within the engine's limits, running {@code adapters} as well, at most
   * {@code adaptersPerStep} of them in one step, and returns what it did.
   */
  public static Report run(
      ModelExecutor executor,
      int maxNumSeqs,
      int maxNumBatchedTokens,
      int maxModelLen,
      List<LoraWeights> adapters,
      int adaptersPerStep) {
    Plan plan = plan(executor, maxNumSeqs, maxNumBatchedTokens, maxModelLen);
    return new EngineWarmup(executor, plan, System::nanoTime, adapters, adaptersPerStep).run();
  }

  /**
   * The largest round the engine's limits and the KV pool allow: the prompt and its decode fit
   * {@code maxModelLen}, {@code maxNumBatchedTokens} and the pool; each group of streams fits
   * {@code maxNumSeqs} and the pool with a block range of its own per stream.
   */
  static Plan plan(
      ModelExecutor executor, int maxNumSeqs, int maxNumBatchedTokens, int maxModelLen) {
    int blockSize = executor.blockSize();
    long poolTokens = (long) executor.numKvBlocks() * blockSize;
    int steps = (int) Math.min(DECODE_STEPS, Math.min(maxModelLen - 1L, poolTokens - 1));
    if (steps <= 0) {
      return new Plan(0, 0, new int[0]);
    }
    int prompt =
        (int)
            Math.max(
                0,
                Math.min(
                    Math.min(PROMPT_TOKENS, maxNumBatchedTokens),
                    Math.min(maxModelLen, poolTokens) - steps));
    int most =
        Math.min(
            Math.min(maxNumSeqs, maxNumBatchedTokens),
            executor.numKvBlocks() / blocksFor(steps, blockSize));
    int[] streams =
        IntStream.of(STREAMS).map(s -> Math.min(s, most)).filter(s -> s > 1).distinct().toArray();
    return new Plan(prompt, steps, streams);
  }

  /** Runs rounds until they stop getting faster, the round limit or the time budget. */
  Report run() {
    List<Long> rounds = new ArrayList<>();
    if (!plan.runsAnything()) {
      return new Report(plan, rounds, List.of());
    }
    long start = clock.getAsLong();
    while (rounds.size() < MAX_ROUNDS) {
      long t0 = clock.getAsLong();
      roundOnAThreadOfItsOwn();
      long took = clock.getAsLong() - t0;
      rounds.add(took);
      int n = rounds.size();
      boolean settled = n >= 2 && took >= STILL_FASTER * rounds.get(n - 2);
      if (settled || clock.getAsLong() - start >= BUDGET_NANOS) {
        break;
      }
    }
    return new Report(plan, rounds, adapters.stream().map(LoraWeights::name).toList());
  }

  /**
   * Runs a round on a new thread. The engine steps on a thread of its own, and a thread's first
   * call of a kernel creates its thread-local scratch, a branch that C2 had compiled as an uncommon
   * trap while only the loader's thread ran: the first request's prefill then deoptimized the BF16
   * tiles and attention back to C1 (a 64-token prefill on a fresh thread took 274–294 ms after
   * warm-up, the next 180). New threads each round put that branch in the profile.
   */
  private void roundOnAThreadOfItsOwn() {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        Thread.ofPlatform()
            .name("cairn-warmup")
            .uncaughtExceptionHandler((th, e) -> failure.set(e))
            .start(this::round);
    // The round cannot stop midway, and the executor must outlive it: an interrupt ends warm-up
    // after the round, not during it.
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException ie) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while warming up");
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error err) {
      throw err;
    }
  }

  private void round() {
    promptAndDecode();
    for (int streams : plan.streams()) {
      decodeStreams(streams);
    }
  }

  /**
   * One sequence, on the first adapter where there are any: the prompt in two chunks (the first
   * without logits, as in a chunked prefill), then its decode steps through the sampling path.
   */
  private void promptAndDecode() {
    int steps = plan.decodeSteps();
    int[] table = blocks(0, plan.promptTokens() + steps);
    int[] prompt = syntheticTokens(plan.promptTokens(), 1);
    SamplingParams sampled =
        new SamplingParams(
            0.8, 0.95, 40, 0.0, 7L, 0.0, 0.0, 1.0, steps, List.of(), Set.of(), false, 2, Map.of(),
            null, null);
    SamplingState state = new SamplingState(sampled, prompt);
    LoraWeights adapter = adapters.isEmpty() ? null : adapters.getFirst();
    int position = prompt.length - plan.promptTail();
    if (plan.promptTail() > 0) {
      int[] head = Arrays.copyOf(prompt, position);
      executor.execute(List.of(new SequenceChunk(head, 0, table, false, false, adapter)));
    }
    int[] next =
        prompt.length > 0
            ? Arrays.copyOfRange(prompt, position, prompt.length)
            : syntheticTokens(1, 2);
    for (int s = 0; s < steps; s++) {
      float[] logits =
          executor
              .execute(List.of(new SequenceChunk(next, position, table, true, false, adapter)))[0];
      position += next.length;
      SampleResult r = sampler.sample(logits, sampled, state, sampled.logprobs());
      next = new int[] {r.token()};
    }
  }

  /** {@code streams} one-token sequences decoded together, each in its own blocks, greedily. */
  private void decodeStreams(int streams) {
    int steps = plan.decodeSteps();
    int perStream = blocksFor(steps, executor.blockSize());
    SamplingParams greedy = SamplingParams.greedy(steps);
    SamplingState state = new SamplingState(greedy, new int[0]);
    int[][] tables = new int[streams][];
    int[] next = syntheticTokens(streams, 3);
    for (int i = 0; i < streams; i++) {
      tables[i] = blocks(i * perStream, steps);
    }
    for (int s = 0; s < steps; s++) {
      List<SequenceChunk> batch = new ArrayList<>(streams);
      for (int i = 0; i < streams; i++) {
        batch.add(
            new SequenceChunk(new int[] {next[i]}, s, tables[i], true, false, adapterOf(i, s)));
      }
      float[][] logits = executor.execute(batch);
      for (int i = 0; i < streams; i++) {
        next[i] = sampler.sample(logits[i], greedy, state, -1).token();
      }
    }
  }

  /**
   * Stream {@code stream}'s adapter in step {@code step}: every (m+1)th stream on the base model,
   * the others on m consecutive adapters (m at most {@code adaptersPerStep}), a window that moves
   * by m each step, so a group's steps run up to steps × m adapters.
   */
  private LoraWeights adapterOf(int stream, int step) {
    int m = Math.min(adapters.size(), adaptersPerStep);
    int k = stream % (m + 1);
    return k == 0 ? null : adapters.get((k - 1 + step * m) % adapters.size());
  }

  /** Consecutive block ids from {@code first}, enough for {@code tokens} positions. */
  private int[] blocks(int first, int tokens) {
    return IntStream.range(first, first + blocksFor(tokens, executor.blockSize())).toArray();
  }

  /** Blocks that hold {@code tokens} positions, at least one. */
  private static int blocksFor(int tokens, int blockSize) {
    return Math.max(1, Math.ceilDiv(tokens, blockSize));
  }

  /** {@code n} token ids spread over the vocabulary, the same for every run. */
  private int[] syntheticTokens(int n, int salt) {
    int vocab = executor.vocabSize();
    return IntStream.range(0, n)
        .map(i -> (int) (((long) (i + 1) * 7919 + salt * 104_729L) % vocab))
        .toArray();
  }
}
