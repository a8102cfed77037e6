package dev.cairn.worker.engine.metrics;

/**
 * One engine step, for the per-step metrics.
 *
 * @param numRunning requests running after the step
 * @param numWaiting requests waiting after the step
 * @param kvUsage fraction of KV blocks held by requests, 0–1
 * @param numScheduledTokens tokens computed in the step (0 for an idle step)
 * @param numPreemptions preemptions in the step
 * @param prefixQueryTokens tokens looked up in the prefix cache
 * @param prefixHitTokens tokens found there
 * @param promptTokens prompt tokens of requests whose prefill finished in the step
 * @param generationTokens tokens generated in the step
 */
public record StepStats(
    int numRunning,
    int numWaiting,
    double kvUsage,
    int numScheduledTokens,
    int numPreemptions,
    long prefixQueryTokens,
    long prefixHitTokens,
    int promptTokens,
    int generationTokens) {}
