package dev.cairn.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An engine over the tiny model's executor on any backend, closed with it; the greedy requests and
 * the checks the tiny-model engine tests share (CPU and CUDA).
 */
record TinyEngineRun(TransformerExecutor executor, LlmEngine engine) implements AutoCloseable {

  /** The tiny model's end-of-sequence ids. */
  static final Set<Integer> EOS = Set.of(511, 509);

  /** An engine with a pool of {@code blocks}, at most {@code maxSeqs} and {@code budget} a step. */
  static TinyEngineRun start(
      TransformerExecutor executor, Tokenizer tokenizer, int blocks, int maxSeqs, int budget) {
    EngineConfig config =
        new EngineConfig(maxSeqs, budget, 512, blocks, executor.blockSize(), true, EOS);
    return new TinyEngineRun(executor, new LlmEngine(config, executor, tokenizer));
  }

  /** Greedy, exactly {@code maxTokens} tokens whatever the model says. */
  static SamplingParams ignoringEos(int maxTokens) {
    return new SamplingParams(
        0.0, 1.0, 0, 0.0, null, 0.0, 0.0, 1.0, maxTokens, List.of(), Set.of(), true, null, Map.of(),
        null, null);
  }

  static GenerationRequest request(String id, int[] prompt, SamplingParams params) {
    return new GenerationRequest(id, prompt, params, System.nanoTime());
  }

  /** Every request ends (drained) and no KV block is used or referenced. */
  void assertNoBlocksHeld() {
    engine.drain(60_000);
    assertThat(engine.core().kv().usage()).isZero();
    for (int b = 0; b < engine.core().kv().numBlocks(); b++) {
      assertThat(engine.core().kv().refCount(b)).as("block %d", b).isZero();
    }
  }

  /**
   * Submits {@code prompts} for 200 tokens each, aborts every other one at once: those end ABORT,
   * the rest LENGTH, and every block comes back.
   */
  void assertAbortsReturnEveryBlock(List<int[]> prompts) throws InterruptedException {
    List<OutputCollector> outs = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      OutputCollector out = new OutputCollector();
      engine.submit(request("r" + i, prompts.get(i), ignoringEos(200)), out);
      outs.add(out);
    }
    for (int i = 0; i < prompts.size(); i += 2) {
      engine.abort("r" + i);
    }
    for (int i = 0; i < prompts.size(); i++) {
      FinishReason reason = outs.get(i).await().last().finishReason();
      assertThat(reason).isEqualTo(i % 2 == 0 ? FinishReason.ABORT : FinishReason.LENGTH);
    }
    assertNoBlocksHeld();
  }

  @Override
  public void close() {
    engine.close();
    executor.close();
  }
}
