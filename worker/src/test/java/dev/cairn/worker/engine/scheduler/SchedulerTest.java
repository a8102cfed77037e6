package dev.cairn.worker.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.GenerationRequest;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.engine.kv.KvBlockManager;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  private KvBlockManager kv;
  private Scheduler scheduler;

  private void setUp(int blocks, int blockSize, int maxSeqs, int tokenBudget) {
    kv = new KvBlockManager(blocks, blockSize, false);
    scheduler = new Scheduler(maxSeqs, tokenBudget, kv);
  }

  private static EngineRequest request(String id, int promptLen) {
    int[] prompt = IntStream.range(0, promptLen).map(i -> (i * 7 + id.hashCode()) & 0xFF).toArray();
    return new EngineRequest(new GenerationRequest(id, prompt, SamplingParams.greedy(1000), 0L));
  }

  private static Map<String, Integer> tokensById(SchedulerOutput out) {
    return out.chunks().stream()
        .collect(Collectors.toMap(c -> c.request().id(), ScheduledChunk::numTokens));
  }

  /** Applies a step as the engine does: KV computed, then one token per sampling chunk. */
  private void complete(SchedulerOutput out) {
    scheduler.onStepComputed(out);
    for (ScheduledChunk c : out.chunks()) {
      if (c.samples()) {
        c.request().appendToken(7);
      }
    }
  }

  @AfterEach
  void noLeaks() {
    for (EngineRequest r : scheduler.running()) {
      scheduler.finish(r, FinishReason.ABORT);
    }
    for (EngineRequest r : scheduler.waiting()) {
      scheduler.finish(r, FinishReason.ABORT);
    }
    assertThat(kv.numHeldBlocks()).isZero();
    for (int b = 0; b < kv.numBlocks(); b++) {
      assertThat(kv.refCount(b)).isZero();
    }
  }

  @Test
  void admitsNoMoreThanMaxNumSeqs() {
    setUp(64, 16, 2, 1000);
    for (int i = 0; i < 3; i++) {
      scheduler.add(request("r" + i, 10));
    }
    SchedulerOutput out = scheduler.schedule();
    assertThat(tokensById(out)).containsOnlyKeys("r0", "r1");
    assertThat(scheduler.numWaiting()).isEqualTo(1);
  }

  @Test
  void admitsOnlyWhenBlocksAreAvailable() {
    setUp(4, 16, 8, 1000);
    scheduler.add(request("a", 40)); // 3 blocks
    scheduler.add(request("b", 40)); // 3 more: does not fit
    SchedulerOutput out = scheduler.schedule();
    assertThat(tokensById(out)).containsOnlyKeys("a");
    assertThat(scheduler.waiting()).extracting(EngineRequest::id).containsExactly("b");
  }

  @Test
  void chunksLongPromptsUnderTheTokenBudget() {
    setUp(64, 16, 8, 32);
    EngineRequest r = request("long", 100);
    scheduler.add(r);
    int steps = 0;
    int sampled = 0;
    while (r.numOutputTokens() == 0) {
      SchedulerOutput out = scheduler.schedule();
      assertThat(out.numScheduledTokens()).isLessThanOrEqualTo(32);
      sampled += out.chunks().get(0).samples() ? 1 : 0;
      complete(out);
      steps++;
    }
    assertThat(steps).isEqualTo(4); // 32 + 32 + 32 + 4
    assertThat(sampled).isEqualTo(1);
    assertThat(r.numComputedTokens()).isEqualTo(100);
  }

  @Test
  void schedulesDecodesBeforeNewPrefillsSoTheyAreNeverStarved() {
    setUp(64, 16, 8, 20);
    EngineRequest a = request("a", 5);
    EngineRequest b = request("b", 5);
    scheduler.add(a);
    scheduler.add(b);
    complete(scheduler.schedule()); // both prefilled, one token each
    scheduler.add(request("big", 200));
    SchedulerOutput out = scheduler.schedule();
    assertThat(out.chunks()).extracting(c -> c.request().id()).containsExactly("a", "b", "big");
    assertThat(tokensById(out))
        .containsEntry("a", 1)
        .containsEntry("b", 1)
        .containsEntry("big", 18);
    complete(out);
    // The big prefill continues in chunks while a and b keep decoding every step.
    SchedulerOutput next = scheduler.schedule();
    assertThat(tokensById(next))
        .containsEntry("a", 1)
        .containsEntry("b", 1)
        .containsEntry("big", 18);
  }

  @Test
  void preemptsTheNewestRunningRequestAndRecomputesItLater() {
    setUp(3, 4, 8, 100);
    EngineRequest old = request("old", 4);
    EngineRequest young = request("young", 4);
    scheduler.add(old);
    scheduler.add(young);
    complete(scheduler.schedule()); // 1 block each, 5 tokens each now
    // Both need a second block; only one is free: old gets it, young is preempted.
    SchedulerOutput out = scheduler.schedule();
    assertThat(tokensById(out)).containsOnlyKeys("old");
    assertThat(out.preempted()).containsExactly(young);
    assertThat(young.status()).isEqualTo(EngineRequest.Status.PREEMPTED);
    assertThat(young.numComputedTokens()).isZero();
    assertThat(young.numTokens()).isEqualTo(5); // its generated token is kept for recompute
    assertThat(kv.holds("young")).isFalse();
    assertThat(scheduler.waiting()).containsExactly(young);
    assertThat(scheduler.totalPreemptions()).isEqualTo(1);
    complete(out);

    scheduler.finish(old, FinishReason.STOP);
    SchedulerOutput resumed = scheduler.schedule();
    assertThat(tokensById(resumed)).containsEntry("young", 5); // whole sequence recomputed
    assertThat(resumed.chunks().get(0).samples()).isTrue();
  }

  @Test
  void abortFreesBlocksInTheSameStep() {
    setUp(4, 16, 8, 1000);
    EngineRequest a = request("a", 60); // all 4 blocks
    scheduler.add(a);
    complete(scheduler.schedule());
    scheduler.add(request("b", 10));
    assertThat(scheduler.schedule().chunks())
        .extracting(c -> c.request().id())
        .containsExactly("a");
    scheduler.finish(a, FinishReason.ABORT);
    assertThat(kv.numHeldBlocks()).isZero();
    assertThat(tokensById(scheduler.schedule())).containsOnlyKeys("b");
  }

  @Test
  void rejectsARequestThatCannotFitEvenAloneInsteadOfHanging() {
    setUp(2, 4, 8, 100);
    EngineRequest tooLong = request("tooLong", 9); // needs 3 blocks with the next token
    EngineRequest fine = request("fine", 3);
    scheduler.add(tooLong);
    scheduler.add(fine);
    SchedulerOutput out = scheduler.schedule();
    assertThat(out.rejected()).containsExactly(tooLong);
    assertThat(tooLong.finishReason()).isEqualTo(FinishReason.ERROR);
    assertThat(tokensById(out)).containsOnlyKeys("fine");
  }

  @Test
  void endsARunningRequestWithLengthWhenItOutgrowsThePool() {
    setUp(2, 4, 8, 100);
    EngineRequest r = request("grows", 6);
    scheduler.add(r);
    for (int i = 0; i < 10 && !r.isFinished(); i++) {
      complete(scheduler.schedule());
    }
    assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
    // 8 tokens fill both blocks; the token sampled from them is kept, the next cannot be computed.
    assertThat(r.numTokens()).isEqualTo(9);
    assertThat(scheduler.hasRequests()).isFalse();
  }

  @Test
  void admitsWithPrefixCacheHitsAndCountsThem() {
    kv = new KvBlockManager(16, 4, true);
    scheduler = new Scheduler(8, 100, kv);
    EngineRequest a = request("same", 10);
    scheduler.add(a);
    complete(scheduler.schedule());
    EngineRequest b = new EngineRequest(a.request());
    EngineRequest c =
        new EngineRequest(new GenerationRequest("c", a.request().promptTokens(), a.params(), 0));
    scheduler.add(c);
    SchedulerOutput out = scheduler.schedule();
    assertThat(out.prefixQueryTokens()).isEqualTo(10);
    assertThat(out.prefixHitTokens()).isEqualTo(8);
    assertThat(tokensById(out)).containsEntry("c", 2);
    assertThat(c.numCachedPromptTokens()).isEqualTo(8);
    assertThat(b.numComputedTokens()).isZero();
  }

  @Test
  void promptLogprobRequestsRunAtMostTheLogitRowBudgetPerStep() {
    kv = new KvBlockManager(64, 16, false);
    scheduler = new Scheduler(8, 1000, kv, Integer.MAX_VALUE, 4);
    SamplingParams g = SamplingParams.greedy(1);
    SamplingParams withPromptLogprobs =
        new SamplingParams(
            g.temperature(),
            g.topP(),
            g.topK(),
            g.minP(),
            g.seed(),
            g.presencePenalty(),
            g.frequencyPenalty(),
            g.repetitionPenalty(),
            g.maxTokens(),
            g.stop(),
            g.stopTokenIds(),
            g.ignoreEos(),
            g.logprobs(),
            g.logitBias(),
            0);
    scheduler.add(
        new EngineRequest(new GenerationRequest("echo", new int[10], withPromptLogprobs, 0L)));
    scheduler.add(request("free", 10));

    SchedulerOutput first = scheduler.schedule();
    // The free request is not held to the logit-row budget and is admitted behind it.
    assertThat(tokensById(first)).containsEntry("echo", 4).containsEntry("free", 10);
    complete(first);
    SchedulerOutput second = scheduler.schedule();
    assertThat(tokensById(second)).containsEntry("echo", 4);
    complete(second);
    assertThat(tokensById(scheduler.schedule())).containsEntry("echo", 2);
  }
}
