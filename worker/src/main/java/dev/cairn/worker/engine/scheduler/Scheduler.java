package dev.cairn.worker.engine.scheduler;

import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.kv.KvBlockManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Continuous-batching scheduler after vLLM v1: there is no prefill or decode phase; each step maps
 * requests to a number of tokens. Running requests go first (decodes and continuing chunked
 * prefills), then waiting ones are admitted while the token budget, {@code maxNumSeqs} and free KV
 * blocks allow. When a running request cannot get a block, the newest running request is preempted
 * and later recomputed. Used only on the engine thread.
 */
public final class Scheduler {

  private final int maxNumSeqs;
  private final int maxNumBatchedTokens;
  private final KvBlockManager kv;
  private final LoraAdmission loras;
  private final int maxPromptLogitRows;
  private final ArrayDeque<EngineRequest> waiting = new ArrayDeque<>();
  private final List<EngineRequest> running = new ArrayList<>();
  private long totalPreemptions;

  public Scheduler(int maxNumSeqs, int maxNumBatchedTokens, KvBlockManager kv) {
    this(maxNumSeqs, maxNumBatchedTokens, kv, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /**
   * @param maxLorasPerBatch distinct LoRA adapters in one step at most (spec.lora.maxLorasPerBatch)
   * @param maxPromptLogitRows prompt positions per step whose full logits rows come back (requests
   *     that ask for prompt logprobs): each row is a vocabulary of floats, so a long prompt in one
   *     chunk would otherwise need gigabytes with a large vocabulary
   */
  public Scheduler(
      int maxNumSeqs,
      int maxNumBatchedTokens,
      KvBlockManager kv,
      int maxLorasPerBatch,
      int maxPromptLogitRows) {
    if (maxNumSeqs <= 0) {
      throw new IllegalArgumentException("maxNumSeqs must be > 0, got " + maxNumSeqs);
    }
    if (maxNumBatchedTokens <= 0) {
      throw new IllegalArgumentException(
          "maxNumBatchedTokens must be > 0, got " + maxNumBatchedTokens);
    }
    this.maxNumSeqs = maxNumSeqs;
    this.maxNumBatchedTokens = maxNumBatchedTokens;
    if (maxPromptLogitRows <= 0) {
      throw new IllegalArgumentException(
          "maxPromptLogitRows must be > 0, got " + maxPromptLogitRows);
    }
    this.kv = kv;
    this.maxPromptLogitRows = maxPromptLogitRows;
    // A held-back adapter request lets at most a full batch of later requests pass it.
    this.loras = new LoraAdmission(maxLorasPerBatch, maxNumSeqs);
  }

  /** Queues a new request at the back of the waiting queue. */
  public void add(EngineRequest request) {
    request.setStatus(EngineRequest.Status.WAITING);
    waiting.addLast(request);
  }

  public int numRunning() {
    return running.size();
  }

  public int numWaiting() {
    return waiting.size();
  }

  public boolean hasRequests() {
    return !running.isEmpty() || !waiting.isEmpty();
  }

  public long totalPreemptions() {
    return totalPreemptions;
  }

  public KvBlockManager kv() {
    return kv;
  }

  /** Running requests, oldest admission first. */
  public List<EngineRequest> running() {
    return List.copyOf(running);
  }

  /** Waiting requests, next to admit first. */
  public List<EngineRequest> waiting() {
    return List.copyOf(waiting);
  }

  /** Plans one step. */
  public SchedulerOutput schedule() {
    StepBudget budget = new StepBudget(maxNumBatchedTokens, maxPromptLogitRows);
    List<ScheduledChunk> chunks = new ArrayList<>();
    List<EngineRequest> preempted = new ArrayList<>();
    List<EngineRequest> rejected = new ArrayList<>();
    scheduleRunning(budget, chunks, preempted, rejected);
    long[] prefixStats = new long[2];
    // As in vLLM: no admissions in a step that had to preempt, the pool is under pressure.
    if (preempted.isEmpty()) {
      admitWaiting(budget, chunks, rejected, prefixStats);
    }
    return new SchedulerOutput(
        chunks,
        preempted,
        rejected,
        maxNumBatchedTokens - budget.tokens,
        prefixStats[0],
        prefixStats[1]);
  }

  private void scheduleRunning(
      StepBudget budget,
      List<ScheduledChunk> chunks,
      List<EngineRequest> preempted,
      List<EngineRequest> rejected) {
    int i = 0;
    while (i < running.size() && budget.tokens > 0) {
      EngineRequest req = running.get(i);
      int numNew = budget.cap(req, req.numTokens() - req.numComputedTokens());
      if (numNew <= 0) {
        i++;
        continue;
      }
      int slots = req.numComputedTokens() + numNew;
      if (kv.blocksFor(slots) > kv.numBlocks()) {
        running.remove(i);
        reject(req, rejected);
        continue;
      }
      boolean scheduledSelf = allocateOrPreempt(req, slots, preempted);
      if (!scheduledSelf) {
        break; // the request preempted itself: everything after it is gone too
      }
      chunks.add(chunkOf(req, numNew));
      budget.take(req, numNew);
      i++;
    }
  }

  /**
   * Gets blocks for {@code req}, preempting the newest running requests until it fits.
   *
   * @return false when {@code req} itself had to be preempted
   */
  private boolean allocateOrPreempt(EngineRequest req, int slots, List<EngineRequest> preempted) {
    while (!kv.allocate(req.id(), slots, List.of())) {
      EngineRequest victim = running.removeLast();
      preempt(victim);
      preempted.add(victim);
      if (victim == req) {
        return false;
      }
    }
    return true;
  }

  /** Frees the request's blocks and puts it at the front of the waiting queue for recompute. */
  private void preempt(EngineRequest req) {
    kv.free(req.id());
    req.markPreempted();
    waiting.addFirst(req);
    totalPreemptions++;
  }

  private void admitWaiting(
      StepBudget budget,
      List<ScheduledChunk> chunks,
      List<EngineRequest> rejected,
      long[] prefixStats) {
    loras.begin(running);
    Iterator<EngineRequest> queue = waiting.iterator();
    while (queue.hasNext() && running.size() < maxNumSeqs && budget.tokens > 0) {
      EngineRequest req = queue.next();
      // The sequence plus the next token's slot must fit the pool even if it ran alone.
      if (kv.blocksFor(req.numTokens() + 1) > kv.numBlocks()) {
        queue.remove();
        reject(req, rejected);
        continue;
      }
      if (!loras.fits(req)) {
        if (loras.holdBack(req)) {
          continue;
        }
        break;
      }
      long namespace = req.request().adapterKey();
      // As vLLM: a request that wants its prompt's logprobs needs logits at cached positions too.
      List<Integer> cached =
          req.needsPromptLogits()
              ? List.of()
              : kv.findCachedPrefix(req.tokens(), req.numTokens(), namespace);
      int numCached = cached.size() * kv.blockSize();
      int numNew = budget.cap(req, req.numTokens() - numCached);
      if (numNew <= 0) {
        break; // this step's prompt-logits rows are spent; FCFS, as for blocks
      }
      if (!kv.allocate(req.id(), numCached + numNew, cached, namespace)) {
        break; // admission waits for blocks; never skip ahead (FCFS)
      }
      queue.remove();
      loras.admitted(req);
      prefixStats[0] += req.numTokens();
      prefixStats[1] += numCached;
      if (req.numPreemptions() == 0) {
        req.setNumCachedPromptTokens(numCached);
      }
      req.setNumComputedTokens(numCached);
      req.setStatus(EngineRequest.Status.RUNNING);
      running.add(req);
      chunks.add(chunkOf(req, numNew));
      budget.take(req, numNew);
    }
  }

  /** Ends a request that can never fit: LENGTH once it has produced output, else ERROR. */
  private void reject(EngineRequest req, List<EngineRequest> rejected) {
    kv.free(req.id());
    req.finish(req.numOutputTokens() > 0 ? FinishReason.LENGTH : FinishReason.ERROR);
    rejected.add(req);
  }

  private ScheduledChunk chunkOf(EngineRequest req, int numNew) {
    return new ScheduledChunk(
        req, req.numComputedTokens(), numNew, kv.blockTable(req.id()), req.needsPromptLogits());
  }

  /**
   * Records a finished step: each chunk's tokens now have KV; full blocks enter the prefix cache.
   * The engine appends sampled tokens afterwards.
   */
  public void onStepComputed(SchedulerOutput output) {
    for (ScheduledChunk chunk : output.chunks()) {
      EngineRequest req = chunk.request();
      if (req.isFinished()) {
        continue;
      }
      req.setNumComputedTokens(chunk.startPosition() + chunk.numTokens());
      kv.cacheFullBlocks(req.id(), req.tokens(), req.numComputedTokens());
    }
  }

  /** Removes a request (finished or aborted) and frees its blocks at once. */
  public void finish(EngineRequest req, FinishReason reason) {
    req.finish(reason);
    running.remove(req);
    waiting.remove(req);
    kv.free(req.id());
  }

  /** Finds a queued or running request by id, or null. */
  public EngineRequest find(String requestId) {
    for (EngineRequest r : running) {
      if (r.id().equals(requestId)) {
        return r;
      }
    }
    Iterator<EngineRequest> it = waiting.iterator();
    while (it.hasNext()) {
      EngineRequest r = it.next();
      if (r.id().equals(requestId)) {
        return r;
      }
    }
    return null;
  }

  /** The token and prompt-logits-row budgets left in the step being planned. */
  private static final class StepBudget {
    int tokens;
    int promptLogitRows;

    StepBudget(int tokens, int promptLogitRows) {
      this.tokens = tokens;
      this.promptLogitRows = promptLogitRows;
    }

    /** How many of {@code wanted} tokens {@code req} may run in this step. */
    int cap(EngineRequest req, int wanted) {
      int n = Math.min(wanted, tokens);
      return req.needsPromptLogits() ? Math.min(n, promptLogitRows) : n;
    }

    void take(EngineRequest req, int n) {
      tokens -= n;
      if (req.needsPromptLogits()) {
        promptLogitRows -= n;
      }
    }
  }
}
