package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.ModelExecutor;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.EngineWarmup.Plan;
import dev.cairn.worker.lora.LoraWeights;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Warm-up runs every step within the engine's limits and the KV pool, stops once its rounds no
 * longer get faster, and leaves nothing behind that changes what the model then computes.
 */
class EngineWarmupTest {

  @Test
  void aRoundIsAPromptThenThreeAndSixteenStreamsWhenTheLimitsAllow() {
    Plan p = EngineWarmup.plan(new Recording(64, 1000, 32768), 64, 2048, 32768);
    assertThat(p.promptTokens()).isEqualTo(64);
    assertThat(p.promptTail()).isEqualTo(29);
    assertThat(p.decodeSteps()).isEqualTo(4);
    assertThat(p.streams()).containsExactly(3, 16);
  }

  @ParameterizedTest(name = "blocks {0}, maxNumSeqs {1}, maxNumBatchedTokens {2}, maxModelLen {3}")
  @CsvSource({
    "64, 64, 2048, 32768, 64, 4, '3,16'",
    "64, 1, 2048, 32768, 64, 4, ''",
    "64, 8, 2048, 32768, 64, 4, '3,8'",
    "3, 64, 2048, 32768, 44, 4, '3'",
    "64, 64, 10, 32768, 10, 4, '3,10'",
    "64, 64, 2048, 20, 16, 4, '3,16'",
    "1, 64, 2048, 32768, 12, 4, ''",
    "64, 64, 2048, 5, 1, 4, '3,16'",
    "64, 64, 2048, 1, 0, 0, ''"
  })
  void everyStepStaysWithinTheLimits(
      int blocks,
      int maxNumSeqs,
      int maxBatched,
      int maxModelLen,
      int prompt,
      int steps,
      String streams) {
    Recording ex = new Recording(blocks, 1000, maxModelLen);
    Plan plan = EngineWarmup.plan(ex, maxNumSeqs, maxBatched, maxModelLen);
    assertThat(plan.promptTokens()).isEqualTo(prompt);
    assertThat(plan.decodeSteps()).isEqualTo(steps);
    assertThat(plan.streams())
        .containsExactly(
            streams.isEmpty()
                ? new int[0]
                : Arrays.stream(streams.split(",")).mapToInt(Integer::parseInt).toArray());

    EngineWarmup.Report report = new EngineWarmup(ex, plan, ex::now).run();

    if (steps == 0) {
      assertThat(ex.batches).isEmpty();
      assertThat(report.roundNanos()).isEmpty();
      return;
    }
    assertThat(report.roundNanos()).isNotEmpty();
    if (plan.promptTail() > 0) {
      // The prompt in two chunks: the head without logits, then the tail after it.
      SequenceChunk head = ex.batches.get(0).getFirst();
      SequenceChunk tail = ex.batches.get(1).getFirst();
      assertThat(head.startPosition()).isZero();
      assertThat(head.needsLogits()).isFalse();
      assertThat(tail.startPosition()).isEqualTo(head.tokens().length);
      assertThat(tail.needsLogits()).isTrue();
      assertThat(head.tokens().length + tail.tokens().length).isEqualTo(prompt);
    }
    int largest = 0;
    for (List<SequenceChunk> batch : ex.batches) {
      largest = Math.max(largest, batch.size());
      assertThat(batch.size()).isLessThanOrEqualTo(maxNumSeqs);
      assertThat(batch.stream().mapToInt(c -> c.tokens().length).sum())
          .isLessThanOrEqualTo(maxBatched);
      Set<Integer> used = new HashSet<>();
      for (SequenceChunk c : batch) {
        int end = c.startPosition() + c.tokens().length;
        assertThat(end).isLessThanOrEqualTo(maxModelLen);
        assertThat(c.blockTable().length * 16).isGreaterThanOrEqualTo(end);
        for (int b : c.blockTable()) {
          assertThat(b).isBetween(0, blocks - 1);
          assertThat(used.add(b)).as("block %d used twice in one step", b).isTrue();
        }
        for (int t : c.tokens()) {
          assertThat(t).isBetween(0, 999);
        }
      }
    }
    int most = Arrays.stream(plan.streams()).max().orElse(1);
    assertThat(largest).isEqualTo(most);
  }

  @Test
  void withoutAdaptersEveryStepRunsOnTheBaseModel() {
    Recording ex = new Recording(64, 1000, 4096);
    new EngineWarmup(ex, EngineWarmup.plan(ex, 64, 2048, 4096), ex::now).run();
    assertThat(ex.batches).isNotEmpty();
    assertThat(ex.batches).allSatisfy(b -> assertThat(b).allMatch(c -> c.adapter() == null));
  }

  /**
   * Three adapters, two a step: the prompt runs on the first, every step of streams mixes base rows
   * with adapter rows and never holds more than two adapters, and each adapter runs.
   */
  @Test
  void adaptersRunBesideTheBaseModelNoMoreAStepThanTheEngineAllows() throws Exception {
    ModelConfig config = ModelConfig.load(TestModels.tinyShakespeare());
    List<LoraWeights> adapters =
        List.of(
            LoraWeights.zeros("a", config, 4, DType.F32),
            LoraWeights.zeros("b", config, 4, DType.F32),
            LoraWeights.zeros("c", config, 4, DType.F32));
    Recording ex = new Recording(64, 1000, 4096);
    EngineWarmup.Report r =
        new EngineWarmup(ex, EngineWarmup.plan(ex, 64, 2048, 4096), ex::now, adapters, 2).run();

    assertThat(r.adapters()).containsExactly("a", "b", "c");
    Set<String> ran = new HashSet<>();
    for (List<SequenceChunk> batch : ex.batches) {
      Set<LoraWeights> distinct = new HashSet<>();
      batch.stream().map(SequenceChunk::adapter).filter(Objects::nonNull).forEach(distinct::add);
      assertThat(distinct).hasSizeLessThanOrEqualTo(2);
      distinct.forEach(a -> ran.add(a.name()));
      if (batch.size() == 1) {
        assertThat(batch.getFirst().adapter()).isSameAs(adapters.getFirst());
      } else {
        assertThat(batch).anyMatch(c -> c.adapter() == null);
        assertThat(batch).anyMatch(c -> c.adapter() != null);
      }
    }
    assertThat(ran).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void roundsStopOnceOneIsNoLongerATenthFaster() {
    // Rounds of 100, 50, 46 units: the third is within a tenth of the second.
    Recording ex =
        new Recording(64, 1000, 4096).costing(round -> new long[] {100, 50, 46}[(int) round]);
    Plan plan = EngineWarmup.plan(ex, 64, 2048, 4096);
    EngineWarmup.Report r = new EngineWarmup(ex, plan, ex::now).run();
    assertThat(r.roundNanos()).hasSize(3);
    assertThat(r.totalNanos()).isEqualTo(ex.now());
  }

  @Test
  void roundsStopAtTheLimitWhileStillGettingFaster() {
    Recording ex = new Recording(64, 1000, 4096).costing(round -> 1_000_000L >> round);
    EngineWarmup.Report r =
        new EngineWarmup(ex, EngineWarmup.plan(ex, 64, 2048, 4096), ex::now).run();
    assertThat(r.roundNanos()).hasSize(EngineWarmup.MAX_ROUNDS);
  }

  @Test
  void noRoundStartsPastTheTimeBudget() {
    long first = EngineWarmup.BUDGET_NANOS * 2 / 3;
    Recording ex = new Recording(64, 1000, 4096).costing(round -> first >> round);
    EngineWarmup.Report r =
        new EngineWarmup(ex, EngineWarmup.plan(ex, 64, 2048, 4096), ex::now).run();
    assertThat(r.roundNanos()).hasSize(2);
  }

  /**
   * The tiny model, warmed up, then run on the very blocks warm-up wrote: the reference's logits
   * and greedy tokens, as from a cold pool.
   */
  @Test
  void theModelComputesTheReferenceAfterWarmup() {
    try (TransformerExecutor ex =
        HostWeights.load(TestModels.tinyShakespeare(), "auto")
            .executorOn(new CpuBackend(2, true), 8)) {
      EngineWarmup.Report r = EngineWarmup.run(ex, 64, 2048, ex.maxModelLen());
      assertThat(r.roundNanos()).isNotEmpty();
      assertThat(r.plan().streams()).isNotEmpty();
      assertThat(r.adapters()).isEmpty();
      assertReference(ex, TestModels.reference().get("cases").get(0), null);
    }
  }

  /**
   * The tiny model warmed up with both reference adapters: afterwards the base model and each
   * adapter still compute the PyTorch reference's logits and greedy tokens.
   */
  @Test
  void theModelAndItsAdaptersComputeTheReferenceAfterWarmupWithThem() throws Exception {
    Path dir = TestModels.repoRoot().resolve("models/tiny-shakespeare-lora");
    ModelConfig config = ModelConfig.load(TestModels.tinyShakespeare());
    List<LoraWeights> adapters =
        List.of(
            LoraWeights.load("shouty", dir.resolve("shouty"), config, 8),
            LoraWeights.load("plain", dir.resolve("plain"), config, 8));
    JsonNode cases =
        new ObjectMapper().readTree(dir.resolve("reference.json").toFile()).get("cases");
    try (TransformerExecutor ex =
        HostWeights.load(TestModels.tinyShakespeare(), "auto")
            .executorOn(new CpuBackend(2, true), 8)) {
      EngineWarmup.Report r = EngineWarmup.run(ex, 64, 2048, ex.maxModelLen(), adapters, 4);
      assertThat(r.adapters()).containsExactly("shouty", "plain");
      assertThat(ex.adaptersOnDevice()).isEqualTo(2);
      for (JsonNode c : cases) {
        String name = c.get("adapter").isNull() ? null : c.get("adapter").asText();
        LoraWeights adapter =
            adapters.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
        assertReference(ex, c, adapter);
      }
    }
  }

  /** Greedy decoding of {@code c}'s prompt matches its last logits and greedy tokens. */
  private static void assertReference(TransformerExecutor ex, JsonNode c, LoraWeights adapter) {
    int[] prompt = TestModels.ints(c.get("prompt_ids"));
    int[] greedy = TestModels.ints(c.get("greedy_ids"));
    float[] expected = TestModels.floats(c.get("last_logits"));
    int[] table = TestModels.blocks(0, 8);
    float[] logits =
        ex.execute(List.of(new SequenceChunk(prompt, 0, table, true, false, adapter)))[0];
    for (int v = 0; v < expected.length; v++) {
      assertThat(logits[v])
          .as("%s logit %d", adapter == null ? "base" : adapter.name(), v)
          .isCloseTo(expected[v], org.assertj.core.data.Offset.offset(1e-3f));
    }
    int[] generated = new int[greedy.length];
    int pos = prompt.length;
    for (int g = 0; g < greedy.length; g++) {
      generated[g] = TestModels.argmax(logits);
      if (g + 1 < greedy.length) {
        SequenceChunk next =
            new SequenceChunk(new int[] {generated[g]}, pos++, table, true, false, adapter);
        logits = ex.execute(List.of(next))[0];
      }
    }
    assertThat(generated).as(adapter == null ? "base" : adapter.name()).isEqualTo(greedy);
  }

  /**
   * Records every step and keeps a clock that each step advances by its round's cost, shared out
   * over the round's steps.
   */
  private static final class Recording implements ModelExecutor {
    final List<List<SequenceChunk>> batches = new ArrayList<>();
    private final int blocks;
    private final int vocab;
    private final int maxModelLen;
    private LongUnaryOperator roundCost = round -> 0;
    private long now;
    private int stepsPerRound = -1;

    Recording(int blocks, int vocab, int maxModelLen) {
      this.blocks = blocks;
      this.vocab = vocab;
      this.maxModelLen = maxModelLen;
    }

    /** Steps of round r together advance the clock by {@code cost(r)}. */
    Recording costing(LongUnaryOperator cost) {
      this.roundCost = cost;
      return this;
    }

    long now() {
      return now;
    }

    @Override
    public int vocabSize() {
      return vocab;
    }

    @Override
    public int blockSize() {
      return 16;
    }

    @Override
    public int numKvBlocks() {
      return blocks;
    }

    @Override
    public int maxModelLen() {
      return maxModelLen;
    }

    @Override
    public float[][] execute(List<SequenceChunk> batch) {
      batches.add(List.copyOf(batch));
      if (stepsPerRound < 0) {
        stepsPerRound = stepsPerRound();
      }
      int step = batches.size() - 1;
      long cost = roundCost.applyAsLong(step / stepsPerRound);
      // The round's last step carries what integer division leaves over.
      now +=
          cost / stepsPerRound
              + (step % stepsPerRound == stepsPerRound - 1 ? cost % stepsPerRound : 0);
      float[][] out = new float[batch.size()][vocab];
      for (int i = 0; i < out.length; i++) {
        out[i][(step * 31 + i * 7) % vocab] = 5f;
      }
      return out;
    }

    /**
     * Steps of one round of the default plan: the prompt's head chunk and its own, then four and
     * sixteen streams'.
     */
    private int stepsPerRound() {
      Plan p = EngineWarmup.plan(this, 64, 2048, maxModelLen);
      return p.decodeSteps() * (1 + p.streams().length) + (p.promptTail() > 0 ? 1 : 0);
    }

    @Override
    public void close() {}
  }
}
