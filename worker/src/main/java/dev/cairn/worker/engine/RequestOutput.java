package dev.cairn.worker.engine;

import java.util.List;

/**
 * What the engine reports for a request after a step: the newly generated tokens and their text.
 * Text deltas never contain a stop string or a partial UTF-8 character; the concatenation of all
 * deltas is the final completion text.
 *
 * @param requestId the request
 * @param newTokenIds tokens generated since the last output
 * @param textDelta text added since the last output (may be empty while a stop string might start)
 * @param logprobs one entry per new token when logprobs were asked for, else empty
 * @param topLogprobs per new token, the top-k alternatives (empty lists when k = 0 or not asked)
 * @param finishReason null while running; set on the last output
 * @param stopReason on the last output of a request stopped by a stop string or stop token id,
 *     which one; else null
 * @param promptLogprobs on the first output of a request that asked for them, else null
 * @param promptTokens prompt length (for usage)
 * @param generatedTokens tokens generated so far (for usage)
 * @param error message when {@code finishReason == ERROR}, or when the engine aborted the request
 *     itself because it passed its deadline ({@link #timedOut()})
 */
public record RequestOutput(
    String requestId,
    int[] newTokenIds,
    String textDelta,
    List<TokenLogprob> logprobs,
    List<List<TokenLogprob>> topLogprobs,
    FinishReason finishReason,
    StopReason stopReason,
    PromptLogprobs promptLogprobs,
    int promptTokens,
    int generatedTokens,
    String error) {

  public boolean finished() {
    return finishReason != null;
  }

  /**
   * The engine aborted the request at its deadline ({@code engine.requestTimeoutSeconds}). vLLM's
   * {@code finished_reason} has no value for it, so the metrics count it as {@code abort}; only an
   * abort the engine started itself carries an error message.
   */
  public boolean timedOut() {
    return finishReason == FinishReason.ABORT && error != null;
  }
}
