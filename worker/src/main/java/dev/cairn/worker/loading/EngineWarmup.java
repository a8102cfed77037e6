package dev.cairn.worker.loading;

import dev.cairn.worker.engine.ModelExecutor;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.engine.sampling.SampleResult;
import dev.cairn.worker.engine.sampling.Sampler;
import dev.cairn.worker.engine.sampling.SamplingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * Runs synthetic steps through a freshly placed model before the worker reports ready, so that the
 * first requests a new replica takes (often a burst: the autoscaler adds replicas under load) find
 * its kernels compiled. On a cold JVM the first 64-token prefill of the 0.5B-shaped BF16 model took
 * 3.9 s against 0.16 s warm, and steps kept their own kernels cold until they first ran: the
 * kernels differ by the number of tokens in a step (decode tiles for one to three, four- and
 * eight-token tiles, widened slabs for prompts).
 *
 * <p>A round is one prompt's prefill and decode (its tokens drawn by the sampler with temperature,
 * top-p and logprobs), then decode steps of four and of sixteen streams at once, each bounded by
 * the engine's limits and the KV pool. Rounds repeat until one is no more than a tenth faster than
 * the round before, at most {@link #MAX_ROUNDS} of them, and none starts past {@link
 * #BUDGET_NANOS}. Warm-up writes only KV blocks the engine has not handed out yet: every chunk
 * writes its positions before it reads them, so nothing of it is visible to the requests that
 * follow.
 */
public final class EngineWarmup {

  /** Rounds at most: the 0.5B model's rounds stopped shrinking after four to six. */
  static final int MAX_ROUNDS = 6;

  /** No round starts after this long: a large model on few cores warms up in its first requests. */
  static final long BUDGET_NANOS = 60_000_000_000L;

  /** A round this much faster than the one before means the JIT is still compiling. */
  static final double STILL_FASTER = 0.9;

  private static final int PROMPT_TOKENS = 64;
  private static final int DECODE_STEPS = 4;
  private static final int[] STREAMS = {4, 16};

  private final ModelExecutor executor;
  private final Plan plan;
  private final LongSupplier clock;
  private final Sampler sampler = new Sampler();

  /**
   * The shapes one round runs.
   *
   * @param promptTokens tokens of the prompt prefilled in one chunk (0: none fit)
   * @param decodeSteps steps of the prompt's sequence (the prompt's own the first) and of each
   *     group of streams
   * @param streams sizes of the groups of streams decoded together, each above one
   */
  public record Plan(int promptTokens, int decodeSteps, int[] streams) {

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
   */
  public record Report(Plan plan, List<Long> roundNanos) {

    /** Total time spent, in nanoseconds. */
    public long totalNanos() {
      return roundNanos.stream().mapToLong(Long::longValue).sum();
    }
  }

  EngineWarmup(ModelExecutor executor, Plan plan, LongSupplier clock) {
    this.executor = executor;
    this.plan = plan;
    this.clock = clock;
  }

  /** Warms {@code executor} up within the engine's limits and returns what it did. */
  public static Report run(
      ModelExecutor executor, int maxNumSeqs, int maxNumBatchedTokens, int maxModelLen) {
    Plan plan = plan(executor, maxNumSeqs, maxNumBatchedTokens, maxModelLen);
    return new EngineWarmup(executor, plan, System::nanoTime).run();
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
      return new Report(plan, rounds);
    }
    long start = clock.getAsLong();
    while (rounds.size() < MAX_ROUNDS) {
      long t0 = clock.getAsLong();
      round();
      long took = clock.getAsLong() - t0;
      rounds.add(took);
      int n = rounds.size();
      boolean settled = n >= 2 && took >= STILL_FASTER * rounds.get(n - 2);
      if (settled || clock.getAsLong() - start >= BUDGET_NANOS) {
        break;
      }
    }
    return new Report(plan, rounds);
  }

  private void round() {
    promptAndDecode();
    for (int streams : plan.streams()) {
      decodeStreams(streams);
    }
  }

  /** One sequence: the prompt in one chunk, then its decode steps through the sampling path. */
  private void promptAndDecode() {
    int steps = plan.decodeSteps();
    int[] table = blocks(0, plan.promptTokens() + steps);
    int[] prompt = syntheticTokens(plan.promptTokens(), 1);
    SamplingParams sampled =
        new SamplingParams(
            0.8, 0.95, 40, 0.0, 7L, 0.0, 0.0, 1.0, steps, List.of(), Set.of(), false, 2, Map.of(),
            null, null);
    SamplingState state = new SamplingState(sampled, prompt);
    int position = 0;
    int[] next = prompt.length > 0 ? prompt : syntheticTokens(1, 2);
    for (int s = 0; s < steps; s++) {
      float[] logits = executor.execute(List.of(new SequenceChunk(next, position, table, true)))[0];
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
        batch.add(new SequenceChunk(new int[] {next[i]}, s, tables[i], true));
      }
      float[][] logits = executor.execute(batch);
      for (int i = 0; i < streams; i++) {
        next[i] = sampler.sample(logits[i], greedy, state, -1).token();
      }
    }
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
