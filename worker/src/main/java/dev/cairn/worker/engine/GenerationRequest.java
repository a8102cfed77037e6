package dev.cairn.worker.engine;

/**
 * A request handed to the engine: prompt token ids and sampling parameters.
 *
 * @param requestId unique id (the server's response id, suffixed per choice when n > 1)
 * @param promptTokens the prompt, already templated and encoded, {@code [promptLen]}
 * @param params sampling and stopping
 * @param arrivalNanos {@link System#nanoTime()} when the HTTP request arrived (TTFT and queue time
 *     count from here)
 * @param group the choices sharing this prompt, for the per-prompt metrics
 */
public record GenerationRequest(
    String requestId,
    int[] promptTokens,
    SamplingParams params,
    long arrivalNanos,
    RequestGroup group) {

  /** A lone request (n = 1, no client max_tokens). */
  public GenerationRequest(
      String requestId, int[] promptTokens, SamplingParams params, long arrivalNanos) {
    this(requestId, promptTokens, params, arrivalNanos, RequestGroup.single());
  }
}
