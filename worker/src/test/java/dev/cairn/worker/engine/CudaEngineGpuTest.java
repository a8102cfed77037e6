package dev.cairn.worker.engine;

import static dev.cairn.worker.engine.TinyEngineRun.ignoringEos;
import static dev.cairn.worker.engine.TinyEngineRun.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.backend.cuda.CudaBackend;
import dev.cairn.worker.backend.cuda.CudaProbe;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.testing.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole engine (scheduler, chunked prefill, paged KV cache, sampler) on the CUDA backend with
 * the tiny model: 32 concurrent requests give the tokens each gives alone, the CPU backend's tokens
 * too, and aborted requests return every KV block. Token ids stand in for text (the byte tokenizer
 * only detokenizes), so the test needs no native tokenizer library on the GPU machine.
 */
@Tag("gpu")
class CudaEngineGpuTest {

  @BeforeEach
  void requireGpu() {
    CudaProbe.Result probe = CudaProbe.probe();
    assumeTrue(probe.usable(), () -> "no usable GPU: " + probe.reason());
  }

  private static int gpu() {
    return CudaProbe.probe().devices().getFirst().ordinal();
  }

  @Test
  void thirtyTwoConcurrentRequestsEqualOneAtATimeAndTheCpuBackend() throws Exception {
    List<int[]> prompts = prompts(32);
    List<int[]> alone = run(blocks -> cuda(blocks), 512, 1, 2048, prompts, false);
    // A small token budget forces chunked prefills mixed with decodes in the same steps.
    List<int[]> batched = run(blocks -> cuda(blocks), 512, 32, 64, prompts, true);
    for (int i = 0; i < prompts.size(); i++) {
      assertThat(batched.get(i)).as("request %d batched", i).containsExactly(alone.get(i));
    }
    List<int[]> cpu = run(blocks -> cpu(blocks), 512, 32, 64, prompts, true);
    int same = 0;
    for (int i = 0; i < prompts.size(); i++) {
      same += Arrays.equals(cpu.get(i), batched.get(i)) ? 1 : 0;
    }
    // Float sums in another order can flip a near-tie late in a long greedy run; most cannot.
    assertThat(same).as("requests with the CPU backend's exact tokens").isGreaterThanOrEqualTo(30);
  }

  @Test
  void abortedAndFinishedRequestsReturnEveryBlock() throws Exception {
    try (TinyEngineRun r = TinyEngineRun.start(cuda(128), new FakeTokenizer(), 128, 16, 256)) {
      r.assertAbortsReturnEveryBlock(prompts(16));
    }
  }

  private static TransformerExecutor cuda(int blocks) {
    return HostWeights.load(TestModels.tinyShakespeare(), "auto")
        .executorOn(new CudaBackend(gpu(), false), blocks);
  }

  private static TransformerExecutor cpu(int blocks) {
    return HostWeights.load(TestModels.tinyShakespeare(), "auto")
        .executorOn(new CpuBackend(), blocks);
  }

  /** Runs {@code prompts} on a fresh engine, all submitted at once or each after the last. */
  private static List<int[]> run(
      IntFunction<TransformerExecutor> executor,
      int blocks,
      int maxSeqs,
      int tokenBudget,
      List<int[]> prompts,
      boolean concurrent)
      throws InterruptedException {
    List<int[]> tokens = new ArrayList<>();
    try (TinyEngineRun r =
        TinyEngineRun.start(
            executor.apply(blocks), new FakeTokenizer(), blocks, maxSeqs, tokenBudget)) {
      List<OutputCollector> outs = new ArrayList<>();
      for (int i = 0; i < prompts.size(); i++) {
        OutputCollector out = new OutputCollector();
        r.engine().submit(request("q" + i, prompts.get(i), ignoringEos(8 + i % 17)), out);
        if (!concurrent) {
          out.await();
        }
        outs.add(out);
      }
      for (OutputCollector out : outs) {
        tokens.add(out.await().tokens());
      }
      r.assertNoBlocksHeld();
    }
    return tokens;
  }

  /** Prompts of 3 to 40 tokens cut from the reference cases' prompt ids and greedy text. */
  private static List<int[]> prompts(int n) {
    List<Integer> all = new ArrayList<>();
    TestModels.reference()
        .get("cases")
        .forEach(
            c -> {
              for (int t : TestModels.ints(c.get("prompt_ids"))) {
                all.add(t);
              }
              for (int t : TestModels.ints(c.get("greedy_ids"))) {
                all.add(t);
              }
            });
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int start = (i * 7) % (all.size() - 45);
      int len = 3 + (i * 11) % 38;
      out.add(all.subList(start, start + len).stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }
}
