package dev.cairn.worker.engine.scheduler;

import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.GenerationRequest;
import dev.cairn.worker.engine.SamplingParams;
import java.util.Arrays;

/**
 * The engine's mutable view of one request: its token sequence (prompt then generated), how much of
 * it has KV computed, and its place in the scheduler. Used only on the engine thread.
 */
public final class EngineRequest {

  /** Where the request is in its life. */
  public enum Status {
    WAITING,
    RUNNING,
    PREEMPTED,
    FINISHED
  }

  private final GenerationRequest request;
  private int[] tokens;
  private int numTokens;
  private final int numPromptTokens;
  private int numComputedTokens;
  private Status status = Status.WAITING;
  private FinishReason finishReason;
  private int numPreemptions;
  private int numCachedPromptTokens;
  private boolean needsPromptLogits;

  public EngineRequest(GenerationRequest request) {
    this.request = request;
    int[] prompt = request.promptTokens();
    this.tokens = Arrays.copyOf(prompt, Math.max(16, prompt.length + 16));
    this.numTokens = prompt.length;
    this.numPromptTokens = prompt.length;
    this.needsPromptLogits = request.params().promptLogprobs() != null;
  }

  /**
   * Whether the prompt's logprobs are still to be computed: until then the forward pass returns
   * logits at every position of this request's chunks and the prefix cache is not consulted.
   */
  public boolean needsPromptLogits() {
    return needsPromptLogits;
  }

  /** The prompt's logprobs are complete. */
  public void promptLogitsDone() {
    needsPromptLogits = false;
  }

  public String id() {
    return request.requestId();
  }

  public GenerationRequest request() {
    return request;
  }

  public SamplingParams params() {
    return request.params();
  }

  /** Backing array of the sequence; only {@code [0, numTokens())} is meaningful. */
  public int[] tokens() {
    return tokens;
  }

  public int numTokens() {
    return numTokens;
  }

  public int numPromptTokens() {
    return numPromptTokens;
  }

  public int numOutputTokens() {
    return numTokens - numPromptTokens;
  }

  public int tokenAt(int position) {
    return tokens[position];
  }

  /** Generated tokens, {@code [numOutputTokens]}. */
  public int[] outputTokens() {
    return Arrays.copyOfRange(tokens, numPromptTokens, numTokens);
  }

  /** Tokens whose KV is in the cache; the next chunk starts here. */
  public int numComputedTokens() {
    return numComputedTokens;
  }

  public void setNumComputedTokens(int n) {
    if (n < 0 || n > numTokens) {
      throw new IllegalStateException("computed tokens " + n + " outside [0, " + numTokens + "]");
    }
    this.numComputedTokens = n;
  }

  /** Appends a sampled token. */
  public void appendToken(int token) {
    if (numTokens == tokens.length) {
      tokens = Arrays.copyOf(tokens, tokens.length * 2);
    }
    tokens[numTokens++] = token;
  }

  public Status status() {
    return status;
  }

  public void setStatus(Status status) {
    this.status = status;
  }

  public FinishReason finishReason() {
    return finishReason;
  }

  /** Marks the request finished; the first reason wins. */
  public void finish(FinishReason reason) {
    if (finishReason == null) {
      finishReason = reason;
    }
    status = Status.FINISHED;
  }

  public boolean isFinished() {
    return status == Status.FINISHED;
  }

  public int numPreemptions() {
    return numPreemptions;
  }

  void markPreempted() {
    numPreemptions++;
    numComputedTokens = 0;
    status = Status.PREEMPTED;
  }

  /** Prompt tokens found in the prefix cache when first admitted. */
  public int numCachedPromptTokens() {
    return numCachedPromptTokens;
  }

  void setNumCachedPromptTokens(int n) {
    this.numCachedPromptTokens = n;
  }
}
