package dev.cairn.worker.engine.sampling;

import dev.cairn.worker.engine.PromptLogprobs;
import dev.cairn.worker.engine.TokenLogprob;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Gathers one request's prompt logprobs from the logits rows of its prefill chunks, as vLLM's
 * {@code prompt_logprobs}: the row at position p scores prompt token p + 1 under the model's raw
 * distribution (no penalties or temperature). Rows may come in several chunks, and again after a
 * preemption; each position is simply (re)written.
 */
public final class PromptLogprobsCollector {
  private final int[] prompt;
  private final int k;
  private final double[] logprobs;
  private final int[][] topIds;
  private final double[][] topLps;
  private int filled;

  /**
   * @param prompt the prompt token ids
   * @param k alternatives to report per position
   */
  public PromptLogprobsCollector(int[] prompt, int k) {
    this.prompt = prompt;
    this.k = k;
    int n = Math.max(0, prompt.length - 1);
    this.logprobs = new double[n];
    this.topIds = new int[n][];
    this.topLps = new double[n][];
  }

  /** Scores the prompt token after {@code position} from that position's logits row. */
  public void accept(int position, float[] logits) {
    if (position + 1 >= prompt.length) {
      return;
    }
    double[] x = new double[logits.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < x.length; i++) {
      x[i] = logits[i];
      max = Math.max(max, x[i]);
    }
    double total = 0;
    for (double v : x) {
      total += Math.exp(v - max);
    }
    double logZ = max + Math.log(total);
    if (topIds[position] == null) {
      filled++;
    }
    logprobs[position] = x[prompt[position + 1]] - logZ;
    int[] top = Sampler.topIndices(x, Math.min(k, x.length));
    double[] lps = new double[top.length];
    for (int i = 0; i < top.length; i++) {
      lps[i] = x[top[i]] - logZ;
    }
    topIds[position] = top;
    topLps[position] = lps;
  }

  /** Whether every prompt token but the first has its logprob. */
  public boolean complete() {
    return filled == logprobs.length;
  }

  /** The result, with token texts from {@code text}. */
  public PromptLogprobs result(IntFunction<String> text) {
    List<TokenLogprob> tokens = new ArrayList<>(logprobs.length);
    List<List<TokenLogprob>> tops = new ArrayList<>(logprobs.length);
    for (int p = 0; p < logprobs.length; p++) {
      int token = prompt[p + 1];
      tokens.add(new TokenLogprob(token, text.apply(token), logprobs[p]));
      List<TokenLogprob> alts = new ArrayList<>(topIds[p].length);
      for (int i = 0; i < topIds[p].length; i++) {
        alts.add(new TokenLogprob(topIds[p][i], text.apply(topIds[p][i]), topLps[p][i]));
      }
      tops.add(List.copyOf(alts));
    }
    return new PromptLogprobs(List.copyOf(tokens), List.copyOf(tops));
  }
}
