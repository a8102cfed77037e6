package dev.cairn.worker.engine.metrics;

import dev.cairn.worker.engine.FinishReason;

/**
 * A finished request's totals, in seconds and tokens.
 *
 * @param reason why it finished
 * @param promptTokens prompt length
 * @param generationTokens tokens generated
 * @param e2eSeconds HTTP arrival to finish
 * @param queueSeconds arrival to first scheduled (NaN when never scheduled)
 * @param prefillSeconds first scheduled to first token (NaN when no token)
 * @param decodeSeconds first to last token (NaN when no token)
 * @param maxTokensParam the client's max_tokens, 0 when it sent none
 */
public record FinishedStats(
    FinishReason reason,
    int promptTokens,
    int generationTokens,
    double e2eSeconds,
    double queueSeconds,
    double prefillSeconds,
    double decodeSeconds,
    int maxTokensParam) {

  /** First scheduled to last token, vLLM's RUNNING phase (NaN when no token). */
  public double inferenceSeconds() {
    return prefillSeconds + decodeSeconds;
  }
}
