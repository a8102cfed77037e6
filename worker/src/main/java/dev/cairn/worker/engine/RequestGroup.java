package dev.cairn.worker.engine;

import java.util.OptionalInt;

/**
 * The {@code n} choices of one prompt, as vLLM's parent request: vLLM records {@code n} and the
 * most tokens any choice generated once per prompt, when its last choice finishes.
 */
public final class RequestGroup {
  private final int n;
  private final int maxTokensParam;
  private int unfinished;
  private int maxGenerated;

  /**
   * @param n choices sharing the prompt (the request's {@code n})
   * @param maxTokensParam the {@code max_tokens} the client sent, or null when it sent none
   */
  public RequestGroup(int n, Integer maxTokensParam) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    this.n = n;
    this.maxTokensParam = maxTokensParam == null ? 0 : maxTokensParam;
    this.unfinished = n;
  }

  /** A lone request without a client {@code max_tokens} (benchmarks, tests). */
  public static RequestGroup single() {
    return new RequestGroup(1, null);
  }

  /** The request's {@code n}. */
  public int n() {
    return n;
  }

  /** The client's {@code max_tokens}, 0 when it sent none (vLLM records only a sent one). */
  public int maxTokensParam() {
    return maxTokensParam;
  }

  /**
   * One choice finished with {@code generated} tokens; on the last one, the most any choice
   * generated. Called on the engine thread only, which runs every choice of a group.
   */
  OptionalInt choiceFinished(int generated) {
    maxGenerated = Math.max(maxGenerated, generated);
    unfinished--;
    return unfinished == 0 ? OptionalInt.of(maxGenerated) : OptionalInt.empty();
  }
}
