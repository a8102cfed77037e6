package dev.cairn.worker.engine.sampling;

/**
 * One sampled token.
 *
 * @param token the chosen id
 * @param logprob its log-probability (NaN when logprobs were not asked for)
 * @param topTokens ids of the top-k alternatives, most likely first, {@code [k]}
 * @param topLogprobs their log-probabilities, {@code [k]}
 */
public record SampleResult(int token, double logprob, int[] topTokens, double[] topLogprobs) {}
