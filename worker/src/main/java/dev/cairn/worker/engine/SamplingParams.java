package dev.cairn.worker.engine;

import dev.cairn.worker.engine.sampling.TokenConstraint;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How one request is sampled and when it stops. The server fills it from the OpenAI request (with
 * defaults from {@code generation_config.json}) and has already validated the ranges.
 *
 * @param temperature 0 = greedy
 * @param topP nucleus mass in (0, 1]; 1 = off
 * @param topK 0 or -1 = off
 * @param minP in [0, 1]; 0 = off
 * @param seed per-request seed; null = random
 * @param presencePenalty OpenAI presence penalty in [-2, 2]
 * @param frequencyPenalty OpenAI frequency penalty in [-2, 2]
 * @param repetitionPenalty multiplicative (HF/vLLM semantics), 1 = off
 * @param maxTokens tokens to generate at most (>= 1); the server parses an unresolved request with
 *     {@link #UNRESOLVED_MAX_TOKENS} and fits it to the context once the prompt is encoded
 * @param stop stop strings; the output ends before the first match, which is not returned
 * @param stopTokenIds extra token ids that end generation (EOS ids are added by the engine)
 * @param ignoreEos keep generating past EOS (benchmarks)
 * @param logprobs null = none; k >= 0 = the sampled token's logprob plus the top k alternatives
 * @param logitBias token id → bias in [-100, 100] added to the raw logits before anything else
 * @param promptLogprobs null = none; k >= 0 = each prompt token's logprob (all but the first) plus
 *     the top k alternatives at its position
 * @param constraint structured output: a fresh {@link TokenConstraint} per call (one per choice),
 *     or null for free sampling
 */
public record SamplingParams(
    double temperature,
    double topP,
    int topK,
    double minP,
    Long seed,
    double presencePenalty,
    double frequencyPenalty,
    double repetitionPenalty,
    int maxTokens,
    List<String> stop,
    Set<Integer> stopTokenIds,
    boolean ignoreEos,
    Integer logprobs,
    Map<Integer, Double> logitBias,
    Integer promptLogprobs,
    Supplier<TokenConstraint> constraint) {

  /** These parameters with output restricted by {@code constraint} (see the record component). */
  public SamplingParams withConstraint(Supplier<TokenConstraint> constraint) {
    return copy(seed, maxTokens, constraint);
  }

  /**
   * Whether a repetition penalty applies: the sampler scales the logits of every token seen so far
   * (prompt included), so the state must record them.
   */
  public boolean penalizesRepeats() {
    return repetitionPenalty != 1.0;
  }

  /** Whether presence or frequency penalties apply to the tokens already output. */
  public boolean penalizesOutput() {
    return presencePenalty != 0.0 || frequencyPenalty != 0.0;
  }

  /** maxTokens of parsed parameters whose limit is not yet fitted to the prompt. */
  public static final int UNRESOLVED_MAX_TOKENS = Integer.MAX_VALUE;

  /** Greedy decoding of up to {@code maxTokens} tokens, nothing else set. */
  public static SamplingParams greedy(int maxTokens) {
    return new SamplingParams(
        0.0, 1.0, 0, 0.0, null, 0.0, 0.0, 1.0, maxTokens, List.of(), Set.of(), false, null,
        Map.of(), null, null);
  }

  /**
   * The parameters of choice {@code index} with {@code maxTokens} fitted to the context: a seeded
   * request gives choice i the seed {@code seed + i}, so n choices differ yet each is reproducible.
   */
  public SamplingParams forChoice(int index, int resolvedMaxTokens) {
    return copy(seed == null ? null : seed + index, resolvedMaxTokens, constraint);
  }

  /** These parameters but for the seed, the token limit and the constraint. */
  private SamplingParams copy(Long seed, int maxTokens, Supplier<TokenConstraint> constraint) {
    return new SamplingParams(
        temperature,
        topP,
        topK,
        minP,
        seed,
        presencePenalty,
        frequencyPenalty,
        repetitionPenalty,
        maxTokens,
        stop,
        stopTokenIds,
        ignoreEos,
        logprobs,
        logitBias,
        promptLogprobs,
        constraint);
  }
}
