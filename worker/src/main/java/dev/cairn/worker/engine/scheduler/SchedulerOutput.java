package dev.cairn.worker.engine.scheduler;

import java.util.List;

/**
 * The plan for one engine step.
 *
 * @param chunks what runs, running requests first, in batch order
 * @param preempted requests preempted this step (blocks freed, back in the waiting queue)
 * @param rejected requests the scheduler finished because they can never fit the KV pool
 * @param numScheduledTokens total tokens in this step (the batch size in tokens)
 * @param prefixQueryTokens prompt tokens looked up in the prefix cache at admission this step
 * @param prefixHitTokens of those, tokens found cached
 */
public record SchedulerOutput(
    List<ScheduledChunk> chunks,
    List<EngineRequest> preempted,
    List<EngineRequest> rejected,
    int numScheduledTokens,
    long prefixQueryTokens,
    long prefixHitTokens) {

  public boolean isEmpty() {
    return chunks.isEmpty();
  }
}
