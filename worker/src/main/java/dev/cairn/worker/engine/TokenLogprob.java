package dev.cairn.worker.engine;

/**
 * One candidate token with its log-probability (from the distribution after temperature, before
 * top-p/top-k truncation, as in vLLM's default "raw" mode).
 *
 * @param tokenId the id
 * @param text the token's own text (may be a partial UTF-8 sequence shown as bytes)
 * @param logprob natural log of its probability
 */
public record TokenLogprob(int tokenId, String text, double logprob) {}
