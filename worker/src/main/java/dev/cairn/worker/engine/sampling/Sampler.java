package dev.cairn.worker.engine.sampling;

import dev.cairn.worker.engine.SamplingParams;
import java.util.Arrays;
import java.util.Map;

/**
 * Turns one logits row into a token: logit bias, penalties (repetition: HF semantics over prompt
 * and output; presence/frequency: OpenAI semantics over output), temperature, then top-k, top-p and
 * min-p truncation and a draw from the request's RNG. Temperature 0 is greedy. A request with an
 * output constraint draws only among the tokens it allows. Log-probabilities come from the
 * penalized, temperature-scaled distribution before truncation and before the constraint. Stateless
 * and thread-safe.
 */
public final class Sampler {

  private static final double GREEDY_EPS = 1e-5;
  private static final int MAX_VOCAB = 1 << 20;

  /**
   * Samples from {@code logits} ({@code [vocabSize]}, not modified).
   *
   * @param numLogprobs alternatives to report, or -1 for no logprobs at all
   */
  public SampleResult sample(
      float[] logits, SamplingParams params, SamplingState state, int numLogprobs) {
    boolean greedy = params.temperature() < GREEDY_EPS;
    long[] allowed = state.allowedTokens(logits.length);
    if (greedy && numLogprobs < 0 && unadjusted(params)) {
      // The raw logits decide alone: no 1.2 MB copy in doubles a row (at 16 streams, copying and
      // scanning the doubles took 1.6–2.3 ms of a 70 ms step; a constrained row took a second
      // copy for its mask). Widening is exact and keeps the order, so this is the same token.
      int token = allowed == null ? FloatArgmax.of(logits) : FloatArgmax.ofAllowed(logits, allowed);
      return new SampleResult(token, Double.NaN, new int[0], new double[0]);
    }
    double[] x = new double[logits.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = logits[i];
    }
    applyLogitBias(x, params);
    applyPenalties(x, params, state);
    // Logprobs describe the model's distribution before the constraint (vLLM's default), so the
    // mask goes onto a copy that only the draw sees.
    double[] drawn = allowed == null ? x : masked(x, allowed);
    if (greedy && numLogprobs < 0) {
      return new SampleResult(argmax(drawn), Double.NaN, new int[0], new double[0]);
    }
    double invT = greedy ? 1.0 : 1.0 / params.temperature();
    double[] probs = scaledProbs(drawn, invT);
    // Unconstrained, the draw's probabilities are the model's: their sum is the partition function.
    double total = numLogprobs >= 0 && allowed == null ? sum(probs) : Double.NaN;
    int token = greedy ? argmax(drawn) : draw(probs, params, state);
    if (numLogprobs < 0) {
      return new SampleResult(token, Double.NaN, new int[0], new double[0]);
    }
    double max = max(x);
    double logZ = Math.log(allowed == null ? total : sumExp(x, max, invT));
    int[] top = topIndices(x, Math.min(numLogprobs, x.length));
    double[] topLp = new double[top.length];
    for (int i = 0; i < top.length; i++) {
      topLp[i] = (x[top[i]] - max) * invT - logZ;
    }
    return new SampleResult(token, (x[token] - max) * invT - logZ, top, topLp);
  }

  /** {@code x} with every id outside {@code allowed} at -infinity; throws when none is allowed. */
  static double[] masked(double[] x, long[] allowed) {
    double[] out = new double[x.length];
    boolean any = false;
    for (int i = 0; i < x.length; i++) {
      boolean ok = (allowed[i >>> 6] & (1L << i)) != 0;
      out[i] = ok ? x[i] : Double.NEGATIVE_INFINITY;
      any |= ok;
    }
    if (!any) {
      throw new IllegalStateException("the output constraint allows no token here");
    }
    return out;
  }

  /** Unnormalized probabilities of the temperature-scaled logits, largest element 1. */
  private static double[] scaledProbs(double[] x, double invT) {
    double max = max(x);
    double[] probs = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      probs[i] = Math.exp((x[i] - max) * invT);
    }
    return probs;
  }

  private static double max(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    return max;
  }

  private static double sum(double[] v) {
    double total = 0;
    for (double d : v) {
      total += d;
    }
    return total;
  }

  private static double sumExp(double[] x, double max, double invT) {
    double total = 0;
    for (double v : x) {
      total += Math.exp((v - max) * invT);
    }
    return total;
  }

  /** OpenAI's logit_bias: added to the raw logits, so +100 all but forces a token, -100 bans it. */
  static void applyLogitBias(double[] x, SamplingParams p) {
    for (Map.Entry<Integer, Double> e : p.logitBias().entrySet()) {
      int t = e.getKey();
      if (t >= 0 && t < x.length) {
        x[t] += e.getValue();
      }
    }
  }

  static void applyPenalties(double[] x, SamplingParams p, SamplingState state) {
    if (p.penalizesRepeats()) {
      double r = p.repetitionPenalty();
      for (int t : state.seenTokens()) {
        if (t >= 0 && t < x.length) {
          x[t] = x[t] > 0 ? x[t] / r : x[t] * r;
        }
      }
    }
    if (p.penalizesOutput()) {
      for (Map.Entry<Integer, Integer> e : state.outputCounts().entrySet()) {
        int t = e.getKey();
        if (t >= 0 && t < x.length) {
          x[t] -= p.frequencyPenalty() * e.getValue() + p.presencePenalty();
        }
      }
    }
  }

  /**
   * Draws from unnormalized probabilities {@code probs} (largest 1, modified in place) after top-k,
   * top-p and min-p truncation.
   */
  private static int draw(double[] probs, SamplingParams p, SamplingState state) {
    int n = probs.length;
    double maxProb = 1.0;
    boolean topK = p.topK() > 0 && p.topK() < n;
    boolean topP = p.topP() < 1.0;
    if (topK || topP) {
      truncateSorted(probs, topK ? p.topK() : n, topP ? p.topP() : 1.0);
    }
    if (p.minP() > 0) {
      double floor = p.minP() * maxProb;
      for (int i = 0; i < n; i++) {
        if (probs[i] < floor) {
          probs[i] = 0;
        }
      }
    }
    double total = 0;
    for (double v : probs) {
      total += v;
    }
    double u = state.nextUniform() * total;
    double acc = 0;
    int last = -1;
    for (int i = 0; i < n; i++) {
      if (probs[i] > 0) {
        acc += probs[i];
        last = i;
        if (u < acc) {
          return i;
        }
      }
    }
    return last >= 0 ? last : argmax(probs);
  }

  /**
   * Zeroes every token outside the k most likely and outside the smallest set of mass >= p. Only
   * candidates above a probability threshold are sorted: when the tokens above it already hold p of
   * the mass (and number at least k), the nucleus and the top k lie inside them, since both take
   * tokens in descending order. That keeps a 150k vocabulary from being sorted every step. Ids are
   * packed into 20 bits of a sort key, so vocabularies up to 2^20 ids are supported.
   */
  static void truncateSorted(double[] probs, int k, double topP) {
    if (probs.length > MAX_VOCAB) {
      throw new IllegalArgumentException(
          "vocabulary of " + probs.length + " ids exceeds the sampler's limit of " + MAX_VOCAB);
    }
    double total = 0;
    double max = 0;
    for (double v : probs) {
      total += v;
      max = Math.max(max, v);
    }
    int needCount = k < probs.length ? k : 0;
    double needMass = topP < 1.0 ? topP * total : 0;
    double threshold = max / 1024;
    int[] candidates;
    while ((candidates = candidatesAbove(probs, threshold, needCount, needMass)) == null) {
      threshold = threshold > Double.MIN_NORMAL ? threshold / 1024 : -1; // -1: every token
    }
    long[] keyed = new long[candidates.length];
    for (int i = 0; i < candidates.length; i++) {
      // Non-negative doubles order like their bits; descending via negation, ties by lower id.
      long bits = Double.doubleToLongBits(probs[candidates[i]]) >>> 22;
      keyed[i] = (-bits << 20) | candidates[i];
    }
    Arrays.sort(keyed);
    boolean[] keep = new boolean[probs.length];
    double kept = 0;
    for (int rank = 0; rank < keyed.length; rank++) {
      int id = (int) (keyed[rank] & 0xFFFFF);
      // The most likely token always survives; afterwards stop once p of the mass is covered.
      if (rank >= k || (rank > 0 && kept >= topP * total)) {
        break;
      }
      keep[id] = true;
      kept += probs[id];
    }
    for (int i = 0; i < probs.length; i++) {
      if (!keep[i]) {
        probs[i] = 0;
      }
    }
  }

  /** Ids with probability >= threshold; null when they hold less than mass or fewer than k. */
  private static int[] candidatesAbove(double[] probs, double threshold, int k, double mass) {
    int count = 0;
    double sum = 0;
    for (double v : probs) {
      if (v >= threshold) {
        count++;
        sum += v;
      }
    }
    if (threshold >= 0 && (sum < mass || count < k)) {
      return null;
    }
    int[] ids = new int[count];
    int n = 0;
    for (int i = 0; i < probs.length; i++) {
      if (probs[i] >= threshold) {
        ids[n++] = i;
      }
    }
    return ids;
  }

  static double[] logSoftmax(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : x) {
      sum += Math.exp(v - max);
    }
    double lse = max + Math.log(sum);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] - lse;
    }
    return out;
  }

  /** Whether nothing (bias, penalties) changes the logits before the draw. */
  private static boolean unadjusted(SamplingParams p) {
    return p.logitBias().isEmpty() && !p.penalizesRepeats() && !p.penalizesOutput();
  }

  static int argmax(double[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Indices of the k largest values, largest first (ties: lower id first). */
  static int[] topIndices(double[] x, int k) {
    if (k <= 0) {
      return new int[0];
    }
    int[] top = new int[k];
    double[] vals = new double[k];
    int size = 0;
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      if (size < k || v > vals[size - 1]) {
        int pos = size < k ? size++ : size - 1;
        while (pos > 0 && vals[pos - 1] < v) {
          vals[pos] = vals[pos - 1];
          top[pos] = top[pos - 1];
          pos--;
        }
        vals[pos] = v;
        top[pos] = i;
      }
    }
    return Arrays.copyOf(top, size);
  }
}
