package dev.cairn.worker.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cairn.worker.engine.SamplingParams;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

  private final Sampler sampler = new Sampler();
  // Probabilities after softmax: about 0.64, 0.24, 0.09, 0.03, ...
  private static final float[] LOGITS = {3f, 2f, 1f, 0f, -1f, -2f};

  private static SamplingParams params(
      double temperature, double topP, int topK, double minP, Long seed) {
    return new SamplingParams(
        temperature,
        topP,
        topK,
        minP,
        seed,
        0,
        0,
        1.0,
        16,
        List.of(),
        Set.of(),
        false,
        null,
        Map.of(),
        null,
        null);
  }

  private Set<Integer> drawnTokens(SamplingParams p, int draws) {
    SamplingState state = new SamplingState(p, new int[0]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < draws; i++) {
      seen.add(sampler.sample(LOGITS, p, state, -1).token());
    }
    return seen;
  }

  @Test
  void greedyAtTemperatureZeroPicksTheArgmax() {
    assertThat(drawnTokens(params(0, 1, 0, 0, null), 50)).containsExactly(0);
  }

  /**
   * Greedy without logprobs, bias, penalties or a constraint reads the float logits alone; the same
   * request asking for logprobs takes the full path in doubles. Both pick the first of the largest,
   * over a vocabulary of Qwen2.5's size with the maximum tied twice and a near-tie beside it.
   */
  @Test
  void greedyOverRawLogitsPicksWhatTheFullPathPicks() {
    java.util.Random random = new java.util.Random(7);
    SamplingParams greedy = params(0, 1, 0, 0, null);
    for (int round = 0; round < 20; round++) {
      float[] logits = new float[151_936];
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) random.nextGaussian() * 4;
      }
      int a = random.nextInt(logits.length);
      int b = random.nextInt(logits.length);
      logits[a] = 40f;
      logits[b] = 40f;
      logits[random.nextInt(logits.length)] = Math.nextDown(40f);
      SamplingState state = new SamplingState(greedy, new int[0]);
      int fast = sampler.sample(logits, greedy, state, -1).token();
      int full = sampler.sample(logits, greedy, state, 0).token();
      assertThat(fast).isEqualTo(full).isEqualTo(Math.min(a, b));
    }
  }

  @Test
  void samplingAtTemperatureOneReachesUnlikelyTokens() {
    assertThat(drawnTokens(params(1, 1, 0, 0, 1L), 2000)).contains(0, 1, 2, 3, 4);
  }

  @Test
  void topKKeepsOnlyTheKMostLikely() {
    assertThat(drawnTokens(params(1, 1, 2, 0, 2L), 500)).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void topPKeepsTheSmallestSetCoveringP() {
    // 0.64 < 0.8 so token 1 is needed; 0.64 + 0.24 >= 0.8 so token 2 is not.
    assertThat(drawnTokens(params(1, 0.8, 0, 0, 3L), 500)).containsExactlyInAnyOrder(0, 1);
    assertThat(drawnTokens(params(1, 0.5, 0, 0, 3L), 200)).containsExactly(0);
  }

  @Test
  void minPDropsTokensBelowAFractionOfTheTopProbability() {
    // 0.09 / 0.64 = 0.14 < 0.2 <= 0.24 / 0.64
    assertThat(drawnTokens(params(1, 1, 0, 0.2, 4L), 500)).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void lowTemperatureSharpensTheDistribution() {
    assertThat(drawnTokens(params(0.05, 1, 0, 0, 5L), 500)).containsExactly(0);
  }

  @Test
  void sameSeedGivesTheSameTokens() {
    SamplingParams p = params(1.5, 1, 0, 0, 42L);
    assertThat(run(p)).isEqualTo(run(p));
    assertThat(run(p)).isNotEqualTo(run(params(1.5, 1, 0, 0, 43L)));
  }

  private List<Integer> run(SamplingParams p) {
    SamplingState state = new SamplingState(p, new int[0]);
    return java.util.stream.IntStream.range(0, 40)
        .mapToObj(i -> sampler.sample(LOGITS, p, state, -1).token())
        .toList();
  }

  private double[] penalized(SamplingParams p, int[] prompt, int... generated) {
    SamplingState state = new SamplingState(p, prompt);
    for (int t : generated) {
      state.accept(t);
    }
    double[] x = {2.0, -2.0, 1.0, 1.0};
    Sampler.applyPenalties(x, p, state);
    return x;
  }

  private static SamplingParams penalties(double presence, double frequency, double repetition) {
    return new SamplingParams(
        1,
        1,
        0,
        0,
        1L,
        presence,
        frequency,
        repetition,
        16,
        List.of(),
        Set.of(),
        false,
        null,
        Map.of(),
        null,
        null);
  }

  @Test
  void presenceAndFrequencyPenaltiesFollowOpenAiOverGeneratedTokensOnly() {
    double[] x = penalized(penalties(0.5, 0.25, 1.0), new int[] {3}, 0, 0, 1);
    assertThat(x[0]).isCloseTo(2.0 - 0.5 - 2 * 0.25, within(1e-9));
    assertThat(x[1]).isCloseTo(-2.0 - 0.5 - 0.25, within(1e-9));
    assertThat(x[2]).isEqualTo(1.0);
    assertThat(x[3]).isEqualTo(1.0); // prompt tokens are not penalized by these
  }

  @Test
  void repetitionPenaltyFollowsHfOverPromptAndGenerated() {
    double[] x = penalized(penalties(0, 0, 2.0), new int[] {3}, 0, 1);
    assertThat(x[0]).isEqualTo(1.0); // positive: divided
    assertThat(x[1]).isEqualTo(-4.0); // negative: multiplied
    assertThat(x[2]).isEqualTo(1.0);
    assertThat(x[3]).isEqualTo(0.5); // from the prompt
  }

  @Test
  void logprobsAreALogSoftmaxWithTopAlternativesInOrder() {
    SamplingParams p = params(0, 1, 0, 0, null);
    SampleResult r = sampler.sample(LOGITS, p, new SamplingState(p, new int[0]), 3);
    assertThat(r.token()).isZero();
    assertThat(r.topTokens()).containsExactly(0, 1, 2);
    assertThat(r.topLogprobs()).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    assertThat(r.logprob()).isEqualTo(r.topLogprobs()[0]);
    double total = 0;
    for (double lp : Sampler.logSoftmax(toDoubles(LOGITS))) {
      total += Math.exp(lp);
    }
    assertThat(total).isCloseTo(1.0, within(1e-9));
    assertThat(r.topLogprobs()[0] - r.topLogprobs()[1]).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void logprobsFollowTheTemperatureScaledDistribution() {
    SamplingParams p = params(2.0, 1, 0, 0, 7L);
    SampleResult r = sampler.sample(LOGITS, p, new SamplingState(p, new int[0]), 2);
    assertThat(r.topLogprobs()[0] - r.topLogprobs()[1]).isCloseTo(0.5, within(1e-9));
    assertThat(r.topTokens()).containsExactly(0, 1);
  }

  @Test
  void noLogprobsWhenNotAsked() {
    SamplingParams p = params(0, 1, 0, 0, null);
    SampleResult r = sampler.sample(LOGITS, p, new SamplingState(p, new int[0]), -1);
    assertThat(r.logprob()).isNaN();
    assertThat(r.topTokens()).isEmpty();
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Test
  void truncationOverALargeVocabularyMatchesAFullSort() {
    java.util.Random random = new java.util.Random(11);
    int n = 30_000;
    double[] logits = new double[n];
    for (int i = 0; i < n; i++) {
      logits[i] = random.nextGaussian() * 3;
    }
    double[] probs = Sampler.logSoftmax(logits);
    for (int i = 0; i < n; i++) {
      probs[i] = Math.exp(probs[i]);
    }
    int[] order = descendingOrder(probs);
    for (double p : new double[] {0.1, 0.9, 0.999}) {
      for (int k : new int[] {n, 50}) {
        double[] fast = probs.clone();
        Sampler.truncateSorted(fast, k, p);
        assertThat(kept(fast)).as("p=%s k=%s", p, k).isEqualTo(naiveKept(probs, order, k, p));
      }
    }
  }

  private static Set<Integer> kept(double[] probs) {
    Set<Integer> ids = new HashSet<>();
    for (int i = 0; i < probs.length; i++) {
      if (probs[i] > 0) {
        ids.add(i);
      }
    }
    return ids;
  }

  /** The textbook definition: sort everything, keep while under k and under p of the mass. */
  private static Set<Integer> naiveKept(double[] probs, int[] order, int k, double p) {
    Set<Integer> ids = new HashSet<>();
    double mass = 0;
    for (int rank = 0; rank < order.length && rank < k && (rank == 0 || mass < p); rank++) {
      ids.add(order[rank]);
      mass += probs[order[rank]];
    }
    return ids;
  }

  private static int[] descendingOrder(double[] probs) {
    return java.util.stream.IntStream.range(0, probs.length)
        .boxed()
        .sorted((a, b) -> Double.compare(probs[b], probs[a]))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  @Test
  void logitBiasForcesOrBansATokenBeforeGreedySelection() {
    SamplingParams base = params(0, 1, 0, 0, null);
    SamplingParams force =
        new SamplingParams(
            0,
            1,
            0,
            0,
            null,
            0,
            0,
            1,
            16,
            List.of(),
            Set.of(),
            false,
            0,
            Map.of(5, 100.0),
            null,
            null);
    SamplingParams ban =
        new SamplingParams(
            0,
            1,
            0,
            0,
            null,
            0,
            0,
            1,
            16,
            List.of(),
            Set.of(),
            false,
            0,
            Map.of(0, -100.0),
            null,
            null);
    assertThat(sampler.sample(LOGITS, base, new SamplingState(base, new int[0]), -1).token())
        .isZero();
    SampleResult forced = sampler.sample(LOGITS, force, new SamplingState(force, new int[0]), 0);
    assertThat(forced.token()).isEqualTo(5);
    assertThat(forced.logprob()).isGreaterThan(-1e-3);
    assertThat(sampler.sample(LOGITS, ban, new SamplingState(ban, new int[0]), -1).token())
        .isEqualTo(1);
  }
}
