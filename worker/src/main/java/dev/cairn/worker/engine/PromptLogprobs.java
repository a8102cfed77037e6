package dev.cairn.worker.engine;

import java.util.List;

/**
 * The log-probabilities of a request's prompt tokens under the model (vLLM's {@code
 * prompt_logprobs}); the first prompt token has none, having no context.
 *
 * @param tokens one entry per prompt token from the second on, {@code [promptLen - 1]}
 * @param top per entry, the top-k alternatives at that position (empty lists when k = 0)
 */
public record PromptLogprobs(List<TokenLogprob> tokens, List<List<TokenLogprob>> top) {}
