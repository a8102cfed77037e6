package dev.cairn.worker.testing;

import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Prompt logprobs computed the slow, obvious way: one forward pass per prefix. */
public final class ReferenceLogprobs {
  private ReferenceLogprobs() {}

  /**
   * The log-probability of {@code prompt[p]} given {@code prompt[0, p)} for each p >= 1 (index 0 is
   * NaN), each from its own forward pass on the CPU backend.
   */
  public static double[] promptLogprobs(Path modelDir, int[] prompt) {
    double[] out = new double[prompt.length];
    out[0] = Double.NaN;
    int blocks = 64;
    try (TransformerExecutor ex =
        HostWeights.load(modelDir, "auto").executorOn(new CpuBackend(), blocks)) {
      int[] table = new int[blocks];
      Arrays.setAll(table, i -> i);
      for (int p = 1; p < prompt.length; p++) {
        float[] logits =
            ex.execute(List.of(new SequenceChunk(Arrays.copyOf(prompt, p), 0, table, true)))[0];
        out[p] = ModelAccuracy.logSoftmax(logits)[prompt[p]];
      }
    }
    return out;
  }
}
