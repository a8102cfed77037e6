package dev.cairn.worker.engine;

import static dev.cairn.worker.engine.TinyEngineRun.ignoringEos;
import static dev.cairn.worker.engine.TinyEngineRun.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.testing.ReferenceLogprobs;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine on the real tiny model (CPU backend, real tokenizer): continuous batching, chunked
 * prefill and preemption must not change a single greedy token.
 */
class TinyModelEngineTest {

  private static Path modelDir;
  private static HfTokenizer tokenizer;
  private static JsonNode reference;

  @BeforeAll
  static void load() throws Exception {
    modelDir = TestModels.tinyShakespeare();
    tokenizer = HfTokenizer.load(modelDir);
    reference = new ObjectMapper().readTree(modelDir.resolve("reference.json").toFile());
  }

  @AfterAll
  static void release() {
    tokenizer.close();
  }

  @Test
  void greedyDecodingThroughTheEngineReproducesTheReference() throws Exception {
    try (TinyEngineRun r = start(256, 8, 2048)) {
      for (JsonNode c : reference.get("cases")) {
        if (!"f32".equals(c.get("weights").asText())) {
          continue;
        }
        int[] prompt = tokenizer.encode(c.get("prompt").asText());
        assertThat(prompt).containsExactly(ints(c.get("prompt_ids")));
        int[] expected = ints(c.get("greedy_ids"));
        OutputCollector out = new OutputCollector();
        r.engine().submit(request("ref", prompt, ignoringEos(expected.length)), out);
        assertThat(out.await().tokens()).containsExactly(expected);
        assertThat(out.text()).isEqualTo(c.get("greedy_text").asText());
      }
    }
  }

  /**
   * In F32 and in BF16 (whose matrices the CPU backend repacks into panels, batched and single rows
   * summed in the same order): batching must not change a token.
   */
  @ParameterizedTest(name = "{0} weights")
  @ValueSource(strings = {"f32", "bf16"})
  void thirtyTwoConcurrentRequestsOfMixedLengthsEqualOneAtATime(String weights) throws Exception {
    Path dir = "bf16".equals(weights) ? TestModels.tinyBf16() : modelDir;
    List<int[]> prompts = mixedPrompts(32);
    List<int[]> alone = oneAtATime(dir, prompts);
    // A small token budget forces chunked prefills mixed with decodes in the same steps.
    try (TinyEngineRun r = start(dir, 512, 32, 64)) {
      List<OutputCollector> outs = submitAll(r, prompts);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(outs.get(i).await().tokens()).as("request %d", i).containsExactly(alone.get(i));
      }
      r.assertNoBlocksHeld();
    }
  }

  @Test
  void preemptionUnderASmallPoolGivesIdenticalTokens() throws Exception {
    List<int[]> prompts = mixedPrompts(12);
    List<int[]> alone = oneAtATime(modelDir, prompts);
    // 16 blocks = 256 tokens for 12 requests that need up to ~60 tokens each: some must yield.
    try (TinyEngineRun r = start(16, 12, 2048)) {
      List<OutputCollector> outs = submitAll(r, prompts);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(outs.get(i).await().tokens()).as("request %d", i).containsExactly(alone.get(i));
      }
      assertThat(r.engine().core().totalPreemptions()).isPositive();
      r.assertNoBlocksHeld();
    }
  }

  @Test
  void abortedAndFinishedRequestsReturnEveryBlock() throws Exception {
    try (TinyEngineRun r = start(128, 16, 256)) {
      r.assertAbortsReturnEveryBlock(mixedPrompts(16));
    }
  }

  /** Each prompt run alone on a fresh engine: the reference for the batched runs. */
  private static List<int[]> oneAtATime(Path dir, List<int[]> prompts) throws InterruptedException {
    List<int[]> alone = new ArrayList<>();
    try (TinyEngineRun r = start(dir, 512, 1, 2048)) {
      for (int i = 0; i < prompts.size(); i++) {
        OutputCollector out = new OutputCollector();
        r.engine().submit(request("a" + i, prompts.get(i), ignoringEos(8 + i % 17)), out);
        alone.add(out.await().tokens());
      }
    }
    return alone;
  }

  private static List<OutputCollector> submitAll(TinyEngineRun r, List<int[]> prompts) {
    List<OutputCollector> outs = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      OutputCollector out = new OutputCollector();
      r.engine().submit(request("b" + i, prompts.get(i), ignoringEos(8 + i % 17)), out);
      outs.add(out);
    }
    return outs;
  }

  /** Prompts of 3 to ~40 tokens cut from Shakespeare-like text. */
  private static List<int[]> mixedPrompts(int n) {
    String text =
        "ROMEO:\nO, she doth teach the torches to burn bright! It seems she hangs upon the cheek"
            + " of night like a rich jewel in an Ethiope's ear; beauty too rich for use, for earth"
            + " too dear!\nJULIET:\nWhat's in a name? That which we call a rose by any other word"
            + " would smell as sweet.";
    int[] all = tokenizer.encode(text);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int start = (i * 7) % (all.length - 45);
      int len = 3 + (i * 11) % 38;
      out.add(Arrays.copyOfRange(all, start, start + len));
    }
    return out;
  }

  @Test
  void promptLogprobsEqualPerPositionReferenceRunsThroughChunksAndTheCache() throws Exception {
    int[] prompt = mixedPrompts(8).get(7);
    double[] expected = ReferenceLogprobs.promptLogprobs(modelDir, prompt);
    SamplingParams withLogprobs =
        new SamplingParams(
            0.0, 1.0, 0, 0.0, null, 0.0, 0.0, 1.0, 4, List.of(), Set.of(), true, null, Map.of(), 2,
            null);
    // A token budget of 8 splits the prompt into chunks; the plain run first fills the cache.
    try (TinyEngineRun r = start(256, 4, 8)) {
      OutputCollector plain = new OutputCollector();
      r.engine().submit(request("plain", prompt, ignoringEos(4)), plain);
      plain.await();
      OutputCollector scored = new OutputCollector();
      r.engine().submit(request("scored", prompt, withLogprobs), scored);
      scored.await();
      assertThat(scored.tokens()).containsExactly(plain.tokens());
      PromptLogprobs got = scored.outputs.get(0).promptLogprobs();
      assertThat(got.tokens()).hasSize(prompt.length - 1);
      for (int p = 1; p < prompt.length; p++) {
        TokenLogprob t = got.tokens().get(p - 1);
        assertThat(t.tokenId()).isEqualTo(prompt[p]);
        assertThat(t.logprob()).as("position %d", p).isCloseTo(expected[p], within(1e-4));
        assertThat(got.top().get(p - 1)).hasSize(2);
        assertThat(got.top().get(p - 1).get(0).logprob())
            .isGreaterThanOrEqualTo(t.logprob() - 1e-9);
      }
      assertThat(scored.outputs.stream().skip(1).map(RequestOutput::promptLogprobs))
          .containsOnlyNulls();
      r.assertNoBlocksHeld();
    }
  }

  private static TinyEngineRun start(int blocks, int maxSeqs, int tokenBudget) {
    return start(modelDir, blocks, maxSeqs, tokenBudget);
  }

  private static TinyEngineRun start(Path dir, int blocks, int maxSeqs, int tokenBudget) {
    return TinyEngineRun.start(
        HostWeights.load(dir, "auto").executorOn(new CpuBackend(), blocks),
        tokenizer,
        blocks,
        maxSeqs,
        tokenBudget);
  }

  private static int[] ints(JsonNode arr) {
    int[] out = new int[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asInt();
    }
    return out;
  }
}
