package dev.cairn.worker.engine.scheduler;

/**
 * One request's share of a step: {@code numTokens} tokens starting at {@code startPosition}.
 *
 * @param request the request
 * @param startPosition first position computed this step (tokens before it are cached)
 * @param numTokens tokens computed this step
 * @param blockTable the request's KV block ids covering {@code [0, startPosition + numTokens)}
 * @param allPositionLogits whether the forward pass returns logits at every position of this chunk
 *     (the request's prompt logprobs are still to be computed)
 */
public record ScheduledChunk(
    EngineRequest request,
    int startPosition,
    int numTokens,
    int[] blockTable,
    boolean allPositionLogits) {

  /** Logits rows the forward pass returns for this chunk. */
  public int numLogitRows() {
    return allPositionLogits() ? numTokens : samples() ? 1 : 0;
  }

  /** Whether this chunk reaches the end of the sequence, so the next token is sampled from it. */
  public boolean samples() {
    return startPosition + numTokens == request.numTokens();
  }
}
