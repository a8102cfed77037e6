package dev.cairn.worker.testing;

import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.TransformerExecutor;
import java.util.List;

/**
 * How far a variant of the tiny model (quantized weights, a BF16 KV cache) strays from its F32
 * self: the KL divergence of a prompt's next-token distribution, and the perplexity of a held-out
 * passage, run token by token so every position after the first reads the KV cache.
 */
public final class ModelAccuracy {

  /**
   * Macbeth V.5 ("To-morrow, and to-morrow..."), a play the tiny model's training text
   * (tiny-shakespeare) does not contain and no reference prompt quotes.
   */
  public static final String HELD_OUT =
      """
      MACBETH:
      She should have died hereafter;
      There would have been a time for such a word.
      To-morrow, and to-morrow, and to-morrow,
      Creeps in this petty pace from day to day
      To the last syllable of recorded time,
      And all our yesterdays have lighted fools
      The way to dusty death. Out, out, brief candle!
      Life's but a walking shadow, a poor player
      That struts and frets his hour upon the stage
      And then is heard no more: it is a tale
      Told by an idiot, full of sound and fury,
      Signifying nothing.
      """;

  private ModelAccuracy() {}

  /** The logits after {@code prompt}, prefilled in one chunk into blocks 0–31. */
  public static float[] lastLogits(TransformerExecutor ex, int[] prompt) {
    return ex.execute(List.of(new SequenceChunk(prompt, 0, TestModels.blocks(0, 32), true)))[0];
  }

  /**
   * {@code n} greedy tokens: the argmax of {@code logits} (a prompt's last), then each decoded as
   * one step at the next position, reading the cache through {@code table}.
   */
  public static int[] greedy(
      TransformerExecutor ex, float[] logits, int position, int[] table, int n) {
    int[] generated = new int[n];
    int pos = position;
    for (int g = 0; g < n; g++) {
      generated[g] = TestModels.argmax(logits);
      if (g + 1 < n) {
        SequenceChunk step = new SequenceChunk(new int[] {generated[g]}, pos++, table, true);
        logits = ex.execute(List.of(step))[0];
      }
    }
    return generated;
  }

  /** exp of the mean negative log-likelihood of each token given those before it. */
  public static double perplexity(TransformerExecutor ex, int[] tokens) {
    int[] table = TestModels.blocks(0, 32);
    double nll = 0;
    for (int p = 0; p + 1 < tokens.length; p++) {
      SequenceChunk step = new SequenceChunk(new int[] {tokens[p]}, p, table, true);
      double[] logProbs = logSoftmax(ex.execute(List.of(step))[0]);
      nll -= logProbs[tokens[p + 1]];
    }
    return Math.exp(nll / (tokens.length - 1));
  }

  /** KL(P ‖ Q) with P from {@code reference}'s logits and Q from {@code other}'s. */
  public static double klDivergence(float[] reference, float[] other) {
    double[] p = logSoftmax(reference);
    double[] q = logSoftmax(other);
    double kl = 0;
    for (int i = 0; i < p.length; i++) {
      kl += Math.exp(p[i]) * (p[i] - q[i]);
    }
    return kl;
  }

  /** The log of the softmax of {@code logits}, in doubles. */
  public static double[] logSoftmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] - log;
    }
    return out;
  }
}
