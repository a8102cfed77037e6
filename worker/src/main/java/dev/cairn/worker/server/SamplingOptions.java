package dev.cairn.worker.server;

import dev.cairn.worker.engine.SamplingParams;
import java.util.List;
import java.util.Set;

/**
 * A request's validated sampling fields with the model's defaults applied; {@code maxTokens} is
 * still the requested value (null = the model's default or the rest of the context), resolved once
 * the prompt length is known.
 *
 * @param logprobs null = none; k = the sampled token's logprob plus the top k alternatives
 */
public record SamplingOptions(
    double temperature,
    double topP,
    int topK,
    double minP,
    Long seed,
    double presencePenalty,
    double frequencyPenalty,
    double repetitionPenalty,
    Integer maxTokens,
    List<String> stop,
    Set<Integer> stopTokenIds,
    boolean ignoreEos,
    Integer logprobs) {

  /**
   * The engine parameters of choice {@code index}: a seeded request gives choice i the seed {@code
   * seed + i}, so n choices differ yet each is reproducible.
   */
  public SamplingParams forChoice(int index, int resolvedMaxTokens) {
    Long choiceSeed = seed == null ? null : seed + index;
    return new SamplingParams(
        temperature,
        topP,
        topK,
        minP,
        choiceSeed,
        presencePenalty,
        frequencyPenalty,
        repetitionPenalty,
        resolvedMaxTokens,
        stop,
        stopTokenIds,
        ignoreEos,
        logprobs);
  }
}
