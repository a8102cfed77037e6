package dev.cairn.worker.engine.sampling;

import dev.cairn.worker.engine.SamplingParams;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Per-request sampler state: the RNG (seeded when the request asks, so the same seed gives the same
 * output) and the token counts the penalties need. Survives preemption, so a recomputed request
 * continues the same random stream.
 */
public final class SamplingState {

  private final SplittableRandom rng;
  // Null when the request samples freely.
  private final TokenConstraint constraint;
  private long[] mask;
  private final Map<Integer, Integer> outputCounts = new HashMap<>();
  private final Map<Integer, Boolean> seen = new HashMap<>();

  /**
   * @param params the request's parameters (for the seed)
   * @param promptTokens the prompt (repetition penalty covers it)
   */
  public SamplingState(SamplingParams params, int[] promptTokens) {
    long seed = params.seed() != null ? params.seed() : new Random().nextLong();
    this.rng = new SplittableRandom(seed);
    this.constraint = params.constraint() == null ? null : params.constraint().get();
    if (params.penalizesRepeats()) {
      for (int t : promptTokens) {
        seen.put(t, Boolean.TRUE);
      }
    }
  }

  /** Uniform in [0, 1). */
  double nextUniform() {
    return rng.nextDouble();
  }

  /**
   * The tokens the request's constraint allows now, as bits over {@code vocabSize} ids, or null
   * when it samples freely. The array is reused from step to step.
   */
  long[] allowedTokens(int vocabSize) {
    if (constraint == null) {
      return null;
    }
    int words = (vocabSize + 63) >>> 6;
    if (mask == null || mask.length != words) {
      mask = new long[words];
    }
    constraint.fillMask(mask);
    return mask;
  }

  /** Records a generated token; a token the constraint refuses is a sampler bug, so it throws. */
  public void accept(int token) {
    if (constraint != null && !constraint.accept(token)) {
      throw new IllegalStateException("token " + token + " is outside the output constraint");
    }
    outputCounts.merge(token, 1, Integer::sum);
    seen.put(token, Boolean.TRUE);
  }

  /** Generated tokens and how often each appeared (presence/frequency penalties). */
  Map<Integer, Integer> outputCounts() {
    return outputCounts;
  }

  /** Tokens in the prompt or generated so far (repetition penalty). */
  Iterable<Integer> seenTokens() {
    return seen.keySet();
  }
}
