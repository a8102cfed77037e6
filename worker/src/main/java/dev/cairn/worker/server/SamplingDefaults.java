package dev.cairn.worker.server;

/**
 * Sampling defaults for fields a request leaves out, from the model's {@code
 * generation_config.json}. Null means "OpenAI's default" (temperature 1, top_p 1, no top_k, ...).
 *
 * @param temperature default temperature
 * @param topP default nucleus mass
 * @param topK default top-k (0 or -1 = off)
 * @param minP default min-p
 * @param repetitionPenalty default repetition penalty
 * @param maxTokens default max_tokens; null = until the context is full
 */
public record SamplingDefaults(
    Double temperature,
    Double topP,
    Integer topK,
    Double minP,
    Double repetitionPenalty,
    Integer maxTokens) {

  /** No model-specific defaults. */
  public static SamplingDefaults none() {
    return new SamplingDefaults(null, null, null, null, null, null);
  }
}
