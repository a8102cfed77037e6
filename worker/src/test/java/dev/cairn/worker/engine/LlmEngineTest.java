package dev.cairn.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlmEngineTest {

  private static final int BLOCK = 4;
  private static final int MAX_LEN = 128;
  private final FakeTokenizer tokenizer = new FakeTokenizer();
  private FakeModelExecutor executor;
  private LlmEngine engine;

  private LlmEngine start(int blocks, int maxSeqs, int tokenBudget, boolean prefixCaching) {
    return start(blocks, maxSeqs, tokenBudget, prefixCaching, Set.of());
  }

  private LlmEngine start(
      int blocks, int maxSeqs, int tokenBudget, boolean prefixCaching, Set<Integer> eos) {
    executor = new FakeModelExecutor(FakeTokenizer.VOCAB, BLOCK, blocks, MAX_LEN, 'a', 26);
    EngineConfig config =
        new EngineConfig(maxSeqs, tokenBudget, MAX_LEN, blocks, BLOCK, prefixCaching, eos);
    engine = new LlmEngine(config, executor, tokenizer);
    return engine;
  }

  private static int[] prompt(int seed, int len) {
    return IntStream.range(0, len).map(i -> 'A' + Math.floorMod(seed * 31 + i * 7, 26)).toArray();
  }

  private static GenerationRequest request(String id, int[] prompt, SamplingParams params) {
    return new GenerationRequest(id, prompt, params, System.nanoTime());
  }

  private static SamplingParams seeded(int maxTokens, long seed) {
    return new SamplingParams(
        1.0, 0.95, 0, 0, seed, 0, 0, 1.0, maxTokens, List.of(), Set.of(), false, 2, Map.of(), null,
        null);
  }

  /** Closes the engine (joining its thread) and checks that no KV block is held. */
  @AfterEach
  void noLeaks() {
    engine.close();
    assertThat(engine.isRunning()).isFalse();
    var kv = engine.core().kv();
    assertThat(kv.usage()).isZero();
    for (int b = 0; b < kv.numBlocks(); b++) {
      assertThat(kv.refCount(b)).isZero();
    }
  }

  private List<OutputCollector> runAll(List<GenerationRequest> requests) throws Exception {
    List<OutputCollector> collectors = new ArrayList<>();
    for (GenerationRequest r : requests) {
      OutputCollector c = new OutputCollector();
      engine.submit(r, c);
      collectors.add(c);
    }
    for (OutputCollector c : collectors) {
      c.await();
    }
    return collectors;
  }

  @Test
  void thirtyTwoConcurrentRequestsMatchTheUnbatchedReference() throws Exception {
    start(512, 32, 48, false);
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      requests.add(request("r" + i, prompt(i, 3 + i * 2), SamplingParams.greedy(20)));
    }
    List<OutputCollector> results = runAll(requests);
    for (int i = 0; i < 32; i++) {
      int[] expected = executor.reference(requests.get(i).promptTokens(), 20, -1);
      OutputCollector c = results.get(i);
      assertThat(c.tokens()).as("request %d", i).containsExactly(expected);
      assertThat(c.last().finishReason()).isEqualTo(FinishReason.LENGTH);
      assertThat(c.last().generatedTokens()).isEqualTo(20);
      assertThat(c.text()).isEqualTo(tokenizer.decode(expected, true));
    }
    // They really were batched: some step carried many sequences.
    assertThat(executor.steps.stream().mapToInt(List::size).max().orElse(0)).isGreaterThan(8);
  }

  @Test
  void seededSamplingGivesTheSameTokensBatchedOrAlone() throws Exception {
    start(512, 16, 256, false);
    List<GenerationRequest> batch = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      batch.add(request("b" + i, prompt(i, 10), seeded(15, 100 + i)));
    }
    List<OutputCollector> together = runAll(batch);
    for (int i = 0; i < 8; i++) {
      GenerationRequest alone = request("a" + i, prompt(i, 10), seeded(15, 100 + i));
      int[] single = runAll(List.of(alone)).get(0).tokens();
      assertThat(together.get(i).tokens()).containsExactly(single);
      for (RequestOutput out : together.get(i).outputs) {
        assertThat(out.logprobs()).hasSize(out.newTokenIds().length);
        assertThat(out.topLogprobs()).allSatisfy(top -> assertThat(top).hasSize(2));
      }
    }
  }

  @Test
  void preemptionUnderATinyPoolGivesIdenticalTokens() throws Exception {
    // 12 blocks of 4 = 48 slots; 8 requests growing to 25 tokens (7 blocks) each must preempt.
    start(12, 8, 64, false);
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      requests.add(request("p" + i, prompt(i, 5), seeded(20, 7 + i)));
    }
    List<OutputCollector> tiny = runAll(requests);
    assertThat(engine.core().totalPreemptions()).isPositive();
    engine.close();

    start(1024, 8, 64, false);
    List<OutputCollector> roomy = runAll(requests);
    assertThat(engine.core().totalPreemptions()).isZero();
    for (int i = 0; i < 8; i++) {
      assertThat(tiny.get(i).tokens()).as("request %d", i).containsExactly(roomy.get(i).tokens());
      assertThat(tiny.get(i).text()).isEqualTo(roomy.get(i).text());
    }
  }

  @Test
  void greedyOutputSurvivesPreemptionExactly() throws Exception {
    start(10, 8, 64, false);
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      requests.add(request("g" + i, prompt(i, 6), SamplingParams.greedy(18)));
    }
    List<OutputCollector> results = runAll(requests);
    assertThat(engine.core().totalPreemptions()).isPositive();
    for (int i = 0; i < 6; i++) {
      int[] expected = executor.reference(requests.get(i).promptTokens(), 18, -1);
      assertThat(results.get(i).tokens()).containsExactly(expected);
    }
  }

  @Test
  void prefixCachingReusesBlocksWithoutChangingTheOutput() throws Exception {
    start(64, 8, 256, true);
    int[] shared = prompt(3, 21);
    int[] first = runAll(List.of(request("x", shared, SamplingParams.greedy(8)))).get(0).tokens();
    int stepsBefore = executor.steps.size();
    int[] second = runAll(List.of(request("y", shared, SamplingParams.greedy(8)))).get(0).tokens();
    assertThat(second).containsExactly(first).containsExactly(executor.reference(shared, 8, -1));
    SequenceChunk prefill = executor.steps.get(stepsBefore).get(0);
    assertThat(prefill.startPosition()).isEqualTo(20); // 5 cached blocks, last token computed
  }

  @Test
  void eosEndsWithStopAndIsNotInTheText() throws Exception {
    int[] p = prompt(1, 8);
    FakeModelExecutor probe =
        new FakeModelExecutor(FakeTokenizer.VOCAB, BLOCK, 8, MAX_LEN, 'a', 26);
    int[] ref = probe.reference(p, 30, -1);
    int eos = ref[3];
    int cut = Arrays.stream(ref).boxed().toList().indexOf(eos);
    start(64, 4, 64, false, Set.of(eos));
    OutputCollector c = runAll(List.of(request("e", p, SamplingParams.greedy(30)))).get(0);
    assertThat(c.last().finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(c.tokens()).containsExactly(Arrays.copyOf(ref, cut + 1));
    assertThat(c.text()).isEqualTo(tokenizer.decode(Arrays.copyOf(ref, cut), true));
  }

  @Test
  void abortFinishesWithAbortAndFreesBlocks() throws Exception {
    start(64, 4, 64, false);
    OutputCollector c = new OutputCollector();
    // The listener may run before submit returns, so it aborts by id rather than by handle.
    engine.submit(
        request("ab", prompt(2, 5), SamplingParams.greedy(100)),
        out -> {
          c.accept(out);
          if (out.generatedTokens() == 3 && !out.finished()) {
            engine.abort("ab");
          }
        });
    c.await();
    assertThat(c.last().finishReason()).isEqualTo(FinishReason.ABORT);
    assertThat(c.last().generatedTokens()).isBetween(3, 99);
  }

  @Test
  void executorFailureFailsTheBatchAndTheEngineKeepsServing() throws Exception {
    start(64, 4, 64, false);
    executor.failNext = new IllegalStateException("device lost");
    OutputCollector failed =
        runAll(List.of(request("f", prompt(4, 5), SamplingParams.greedy(5)))).get(0);
    assertThat(failed.last().finishReason()).isEqualTo(FinishReason.ERROR);
    assertThat(failed.last().error()).contains("device lost");
    OutputCollector ok =
        runAll(List.of(request("o", prompt(4, 5), SamplingParams.greedy(5)))).get(0);
    assertThat(ok.tokens()).containsExactly(executor.reference(prompt(4, 5), 5, -1));
  }

  @Test
  void aRequestLargerThanTheWholePoolEndsWithAnErrorInsteadOfHanging() throws Exception {
    start(2, 4, 64, false); // 8 slots
    OutputCollector c =
        runAll(List.of(request("big", prompt(5, 12), SamplingParams.greedy(4)))).get(0);
    assertThat(c.last().finishReason()).isEqualTo(FinishReason.ERROR);
    assertThat(c.last().error()).contains("KV blocks");
    OutputCollector small =
        runAll(List.of(request("s", prompt(5, 3), SamplingParams.greedy(10)))).get(0);
    assertThat(small.last().finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(small.tokens()).hasSize(6); // 8 slots computed, the 9th token sampled from them
  }

  @Test
  void rejectsInvalidRequestsWithTheFieldNamed() {
    start(16, 4, 64, false);
    assertThatThrownBy(
            () -> engine.submit(request("l", prompt(1, 100), SamplingParams.greedy(40)), o -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximum context length");
    assertThatThrownBy(
            () -> engine.submit(request("v", new int[] {9999}, SamplingParams.greedy(1)), o -> {}))
        .hasMessageContaining("promptTokens");
    assertThatThrownBy(
            () -> engine.submit(request("e", new int[0], SamplingParams.greedy(1)), o -> {}))
        .hasMessageContaining("promptTokens");
  }

  @Test
  void drainFinishesInFlightWorkThenRefusesNewRequests() throws Exception {
    start(64, 4, 64, false);
    List<OutputCollector> cs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      OutputCollector c = new OutputCollector();
      engine.submit(request("d" + i, prompt(i, 4), SamplingParams.greedy(6)), c);
      cs.add(c);
    }
    engine.drain(60_000);
    for (OutputCollector c : cs) {
      assertThat(c.await().last().finishReason()).isEqualTo(FinishReason.LENGTH);
    }
    assertThat(engine.isRunning()).isFalse();
    assertThatThrownBy(
            () -> engine.submit(request("late", prompt(1, 4), SamplingParams.greedy(2)), o -> {}))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void drainWithNoTimeLeftAbortsTheRest() throws Exception {
    start(64, 4, 64, false);
    OutputCollector c = new OutputCollector();
    engine.submit(request("long", prompt(1, 4), SamplingParams.greedy(120)), c);
    engine.drain(0);
    assertThat(c.await().last().finishReason()).isIn(FinishReason.ABORT, FinishReason.LENGTH);
    assertThat(engine.numRunning() + engine.numWaiting()).isZero();
  }
}
