package dev.cairn.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.engine.metrics.EngineMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's overload limits: a bounded in-flight set and the per-request deadline. */
class LlmEngineLimitsTest {
  private static final int BLOCK = 4;
  private static final int BLOCKS = 64;
  private static final int MAX_LEN = 128;
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong();
  private final GatedExecutor executor = new GatedExecutor();
  private LlmEngine engine;

  /** A fake model whose steps run only when the test releases them. */
  private static final class GatedExecutor extends FakeModelExecutor {
    final Semaphore permits = new Semaphore(0);

    GatedExecutor() {
      super(FakeTokenizer.VOCAB, BLOCK, BLOCKS, MAX_LEN, 'a', 26);
    }

    @Override
    public float[][] execute(List<SequenceChunk> batch) {
      permits.acquireUninterruptibly();
      return super.execute(batch);
    }
  }

  private LlmEngine start(int maxSeqs, int maxWaiting, int timeoutSeconds) {
    EngineConfig config =
        new EngineConfig(
            maxSeqs,
            64,
            MAX_LEN,
            BLOCKS,
            BLOCK,
            false,
            Set.of(),
            Integer.MAX_VALUE,
            maxWaiting,
            timeoutSeconds);
    engine = new LlmEngine(config, executor, new FakeTokenizer(), EngineMetrics.NOOP, clock::get);
    return engine;
  }

  private OutputCollector submit(String id, int maxTokens) {
    OutputCollector out = new OutputCollector();
    engine.submit(
        new GenerationRequest(
            id, new int[] {'A', 'B', 'C'}, SamplingParams.greedy(maxTokens), clock.get()),
        out);
    return out;
  }

  @AfterEach
  void noLeaks() {
    executor.permits.release(10_000);
    engine.close();
    var kv = engine.core().kv();
    assertThat(kv.usage()).isZero();
    for (int b = 0; b < kv.numBlocks(); b++) {
      assertThat(kv.refCount(b)).isZero();
    }
  }

  @Test
  void refusesRequestsBeyondRunningPlusWaiting() throws Exception {
    start(2, 3, 0);
    List<OutputCollector> accepted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      accepted.add(submit("r" + i, 4));
    }
    assertThatThrownBy(() -> submit("r5", 4))
        .isInstanceOf(EngineOverloadedException.class)
        .hasMessageContaining("5 requests running or queued")
        .satisfies(e -> assertThat(((EngineOverloadedException) e).inFlight()).isEqualTo(5));

    executor.permits.release(10_000);
    for (OutputCollector c : accepted) {
      assertThat(c.await().last().finishReason()).isEqualTo(FinishReason.LENGTH);
    }
    // Finished requests leave the in-flight set, so there is room again.
    assertThat(submit("r6", 2).await().last().finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void zeroWaitingAdmitsOnlyAFullBatch() {
    start(2, 0, 0);
    submit("a", 4);
    submit("b", 4);
    assertThatThrownBy(() -> submit("c", 4)).isInstanceOf(EngineOverloadedException.class);
  }

  @Test
  void requestsPastTheirDeadlineAreAbortedAndFreeTheirBlocks() throws Exception {
    start(1, 4, 10);
    OutputCollector running = submit("running", 100);
    OutputCollector waiting = submit("waiting", 100);
    executor.permits.release(2); // "running" prefills and decodes; "waiting" has no slot
    awaitSteps(2);
    clock.addAndGet(10 * SECOND);
    OutputCollector fresh = submit("fresh", 3);
    executor.permits.release(10_000);

    for (OutputCollector late : List.of(running, waiting)) {
      RequestOutput last = late.await().last();
      assertThat(last.finishReason()).isEqualTo(FinishReason.ABORT);
      assertThat(last.timedOut()).isTrue();
      assertThat(last.error()).contains("deadline of 10 s", "engine.requestTimeoutSeconds");
    }
    assertThat(running.tokens()).hasSizeGreaterThanOrEqualTo(1);
    RequestOutput done = fresh.await().last();
    assertThat(done.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(done.timedOut()).isFalse();
  }

  @Test
  void clientAbortsAreNotTimeouts() throws Exception {
    start(1, 4, 10);
    OutputCollector out = submit("r", 100);
    engine.abort("r");
    executor.permits.release(10_000);
    assertThat(out.await().last().finishReason()).isEqualTo(FinishReason.ABORT);
    assertThat(out.last().timedOut()).isFalse();
  }

  @Test
  void negativeLimitsAreRefusedByName() {
    assertThatThrownBy(() -> new EngineConfig(1, 1, 1, 1, 1, false, Set.of(), 1, -1, 0))
        .hasMessageContaining("maxWaitingRequests");
    assertThatThrownBy(() -> new EngineConfig(1, 1, 1, 1, 1, false, Set.of(), 1, 0, -1))
        .hasMessageContaining("requestTimeoutSeconds");
    start(1, 0, 0); // the leak check after each test needs an engine
  }

  private int stepsRun() {
    synchronized (executor) {
      return executor.steps.size();
    }
  }

  /** Waits until the gated executor ran {@code n} steps (the engine thread runs them). */
  private void awaitSteps(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (executor.permits.availablePermits() > 0 || stepsRun() < n) {
      assertThat(System.nanoTime()).as("engine stepped").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
