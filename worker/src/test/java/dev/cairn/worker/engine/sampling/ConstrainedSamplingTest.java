package dev.cairn.worker.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cairn.worker.engine.SamplingParams;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConstrainedSamplingTest {

  private final Sampler sampler = new Sampler();
  // Softmax: about 0.64, 0.24, 0.09, 0.03, 0.01, 0.004.
  private static final float[] LOGITS = {3f, 2f, 1f, 0f, -1f, -2f};

  /** Allows a fixed set of ids and records what it was told. */
  private static final class FixedSet implements TokenConstraint {
    final Set<Integer> allowed;
    final List<Integer> accepted = new ArrayList<>();

    FixedSet(Integer... allowed) {
      this.allowed = Set.of(allowed);
    }

    @Override
    public void fillMask(long[] mask) {
      java.util.Arrays.fill(mask, 0L);
      allowed.forEach(t -> mask[t >>> 6] |= 1L << t);
    }

    @Override
    public boolean accept(int tokenId) {
      accepted.add(tokenId);
      return allowed.contains(tokenId);
    }
  }

  private static SamplingParams params(double temperature, int topK, Map<Integer, Double> bias) {
    return new SamplingParams(
        temperature, 1, topK, 0, 7L, 0, 0, 1.0, 16, List.of(), Set.of(), false, 2, bias, null);
  }

  @Test
  void drawsOnlyAllowedTokensAndReportsThemToTheConstraint() {
    FixedSet c = new FixedSet(3, 5);
    SamplingParams p = params(1, 0, Map.of()).withConstraint(() -> c);
    SamplingState state = new SamplingState(p, new int[0]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 400; i++) {
      int t = sampler.sample(LOGITS, p, state, -1).token();
      state.accept(t);
      seen.add(t);
    }
    assertThat(seen).containsExactlyInAnyOrder(3, 5);
    assertThat(c.accepted).hasSize(400);
  }

  @Test
  void greedyPicksTheBestAllowedToken() {
    SamplingParams p = params(0, 0, Map.of()).withConstraint(() -> new FixedSet(2, 4));
    assertThat(sampler.sample(LOGITS, p, new SamplingState(p, new int[0]), -1).token())
        .isEqualTo(2);
  }

  @Test
  void topKAndLogitBiasApplyWithinTheAllowedSet() {
    // Bias makes 4 the best allowed token; top_k 1 then leaves only it.
    SamplingParams p = params(1, 1, Map.of(4, 5.0)).withConstraint(() -> new FixedSet(1, 2, 4));
    SamplingState state = new SamplingState(p, new int[0]);
    for (int i = 0; i < 50; i++) {
      assertThat(sampler.sample(LOGITS, p, state, -1).token()).isEqualTo(4);
    }
  }

  @Test
  void logprobsDescribeTheDistributionBeforeTheMask() {
    SamplingParams free = params(1, 0, Map.of());
    SamplingParams masked = free.withConstraint(() -> new FixedSet(1));
    SampleResult a = sampler.sample(LOGITS, free, new SamplingState(free, new int[0]), 2);
    SampleResult b = sampler.sample(LOGITS, masked, new SamplingState(masked, new int[0]), 2);
    assertThat(b.token()).isEqualTo(1);
    assertThat(b.topTokens()).containsExactly(0, 1);
    assertThat(b.topLogprobs()[1]).isCloseTo(a.topLogprobs()[1], within(1e-12));
    assertThat(b.logprob()).isCloseTo(a.topLogprobs()[1], within(1e-12));
  }

  @Test
  void aConstraintAllowingNothingIsAnErrorNotAFreeDraw() {
    SamplingParams p = params(1, 0, Map.of()).withConstraint(FixedSet::new);
    assertThatThrownBy(() -> sampler.sample(LOGITS, p, new SamplingState(p, new int[0]), -1))
        .hasMessageContaining("allows no token");
  }

  @Test
  void aRefusedTokenIsRejectedByTheState() {
    SamplingParams p = params(1, 0, Map.of()).withConstraint(() -> new FixedSet(1));
    SamplingState state = new SamplingState(p, new int[0]);
    assertThatThrownBy(() -> state.accept(0)).hasMessageContaining("outside the output constraint");
  }

  @Test
  void everyChoiceGetsItsOwnConstraint() {
    SamplingParams p = params(1, 0, Map.of()).withConstraint(() -> new FixedSet(1));
    assertThat(p.forChoice(1, 8).constraint()).isSameAs(p.constraint());
    assertThat(p.constraint().get()).isNotSameAs(p.constraint().get());
  }
}
