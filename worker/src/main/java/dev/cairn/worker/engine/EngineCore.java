package dev.cairn.worker.engine;

import dev.cairn.worker.engine.kv.KvBlockManager;
import dev.cairn.worker.engine.metrics.EngineMetrics;
import dev.cairn.worker.engine.metrics.FinishedStats;
import dev.cairn.worker.engine.metrics.StepStats;
import dev.cairn.worker.engine.output.OutputTracker;
import dev.cairn.worker.engine.sampling.PromptLogprobsCollector;
import dev.cairn.worker.engine.sampling.SampleResult;
import dev.cairn.worker.engine.sampling.Sampler;
import dev.cairn.worker.engine.sampling.SamplingState;
import dev.cairn.worker.engine.scheduler.EngineRequest;
import dev.cairn.worker.engine.scheduler.ScheduledChunk;
import dev.cairn.worker.engine.scheduler.Scheduler;
import dev.cairn.worker.engine.scheduler.SchedulerOutput;
import dev.cairn.worker.lora.AdapterLease;
import dev.cairn.worker.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * One engine step, single-threaded, after vLLM's {@code EngineCore}: schedule → execute the batch →
 * sample → update request state → emit outputs. {@link LlmEngine} drives it from its step-loop
 * thread; tests drive it directly.
 */
final class EngineCore {

  private static final Logger LOG = Logger.getLogger(EngineCore.class);
  // Below this many sequences the fork/join overhead outweighs parallel sampling.
  private static final int PARALLEL_SAMPLING_MIN = 4;

  /** Memory for prompt-logprob logits rows in one step. */
  static final long PROMPT_LOGITS_BYTES = 64L << 20;

  private final EngineConfig config;
  private final ModelExecutor executor;
  private final Tokenizer tokenizer;
  private final EngineMetrics metrics;
  private final LongSupplier clock;
  private final KvBlockManager kv;
  private final Scheduler scheduler;
  private final Sampler sampler = new Sampler();
  private final Map<String, ActiveRequest> active = new LinkedHashMap<>();
  private final int maxModelLen;
  private final long requestTimeoutNanos;
  private int stepPromptTokens;
  private int stepGenerationTokens;

  EngineCore(
      EngineConfig config,
      ModelExecutor executor,
      Tokenizer tokenizer,
      EngineMetrics metrics,
      LongSupplier clock) {
    this.config = config;
    this.executor = executor;
    this.tokenizer = tokenizer;
    this.metrics = metrics;
    this.clock = clock;
    this.maxModelLen = Math.min(config.maxModelLen(), executor.maxModelLen());
    this.requestTimeoutNanos = config.requestTimeoutSeconds() * 1_000_000_000L;
    if (executor.blockSize() != config.blockSize()) {
      throw new IllegalArgumentException(
          "blockSize "
              + config.blockSize()
              + " differs from the executor's "
              + executor.blockSize());
    }
    int blocks = Math.min(config.numKvBlocks(), executor.numKvBlocks());
    this.kv = new KvBlockManager(blocks, config.blockSize(), config.enablePrefixCaching());
    this.scheduler =
        new Scheduler(
            config.maxNumSeqs(),
            config.maxNumBatchedTokens(),
            kv,
            config.maxLorasPerBatch(),
            promptLogitRows(executor.vocabSize()));
  }

  /**
   * Prompt positions per step with full logits rows: bounded to {@link #PROMPT_LOGITS_BYTES} of
   * floats, so echo/logprobs over a long prompt runs over several steps instead of returning {@code
   * chunk × vocabulary} floats at once (2,048 × 151,936 floats would be 1.2 GB).
   */
  static int promptLogitRows(int vocabSize) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, PROMPT_LOGITS_BYTES / (4L * vocabSize)));
  }

  int maxModelLen() {
    return maxModelLen;
  }

  KvBlockManager kv() {
    return kv;
  }

  int numRunning() {
    return scheduler.numRunning();
  }

  int numWaiting() {
    return scheduler.numWaiting();
  }

  long totalPreemptions() {
    return scheduler.totalPreemptions();
  }

  boolean hasWork() {
    return scheduler.hasRequests();
  }

  /** Queues a validated request. */
  void add(GenerationRequest request, Consumer<RequestOutput> listener) {
    EngineRequest state = new EngineRequest(request);
    OutputTracker output =
        new OutputTracker(
            request.requestId(),
            tokenizer,
            request.params(),
            request.promptTokens(),
            config.eosTokenIds(),
            maxModelLen);
    SamplingState sampling = new SamplingState(request.params(), request.promptTokens());
    Integer k = request.params().promptLogprobs();
    PromptLogprobsCollector prompt =
        k == null ? null : new PromptLogprobsCollector(request.promptTokens(), k);
    active.put(request.requestId(), new ActiveRequest(state, listener, output, sampling, prompt));
    scheduler.add(state);
  }

  /** Aborts a request at once: its blocks are free before the next step is planned. */
  void abort(String requestId) {
    ActiveRequest req = active.get(requestId);
    if (req != null) {
      finish(req, FinishReason.ABORT, null);
    }
  }

  void abortAll() {
    for (ActiveRequest req : new ArrayList<>(active.values())) {
      finish(req, FinishReason.ABORT, null);
    }
  }

  /** Ends every request with {@link FinishReason#ERROR} (the step loop itself failed). */
  void failAll(String message) {
    for (ActiveRequest req : new ArrayList<>(active.values())) {
      try {
        finish(req, FinishReason.ERROR, message);
      } catch (RuntimeException e) {
        LOG.warnf(e, "Could not fail request %s cleanly", req.id());
      }
    }
  }

  /** Runs one step; a no-op when nothing is queued. */
  void step() {
    stepPromptTokens = 0;
    stepGenerationTokens = 0;
    expireOverdue();
    SchedulerOutput plan = scheduler.schedule();
    for (EngineRequest rejected : plan.rejected()) {
      ActiveRequest req = active.get(rejected.id());
      String error =
          rejected.finishReason() == FinishReason.ERROR
              ? "request needs "
                  + kv.blocksFor(rejected.numTokens() + 1)
                  + " KV blocks but the pool has "
                  + kv.numBlocks()
              : null;
      finish(req, rejected.finishReason(), error);
    }
    if (!plan.isEmpty()) {
      markScheduled(plan);
      float[][] logits = execute(plan);
      if (logits != null) {
        scheduler.onStepComputed(plan);
        sampleAndEmit(plan, logits);
      }
    }
    recordStep(plan);
  }

  /**
   * Aborts every request, running or waiting, past its deadline, before the step is planned, so its
   * blocks go to others in this very step.
   */
  private void expireOverdue() {
    if (requestTimeoutNanos == 0) {
      return;
    }
    long now = clock.getAsLong();
    List<ActiveRequest> overdue = new ArrayList<>();
    for (ActiveRequest req : active.values()) {
      if (now - req.state.request().arrivalNanos() >= requestTimeoutNanos) {
        overdue.add(req);
      }
    }
    for (ActiveRequest req : overdue) {
      finish(
          req,
          FinishReason.ABORT,
          "the request did not finish within the server's deadline of "
              + config.requestTimeoutSeconds()
              + " s (engine.requestTimeoutSeconds)");
    }
  }

  private void markScheduled(SchedulerOutput plan) {
    if (!metrics.enabled()) {
      return;
    }
    long now = clock.getAsLong();
    for (ScheduledChunk chunk : plan.chunks()) {
      ActiveRequest req = active.get(chunk.request().id());
      if (req.firstScheduledNanos == 0) {
        req.firstScheduledNanos = now;
      }
    }
  }

  /** Runs the batch; on failure fails every request in it and returns null. */
  private float[][] execute(SchedulerOutput plan) {
    List<SequenceChunk> batch = new ArrayList<>(plan.chunks().size());
    int rows = 0;
    for (ScheduledChunk c : plan.chunks()) {
      int start = c.startPosition();
      int[] tokens = Arrays.copyOfRange(c.request().tokens(), start, start + c.numTokens());
      AdapterLease adapter = c.request().request().adapter();
      batch.add(
          new SequenceChunk(
              tokens,
              start,
              c.blockTable(),
              c.samples(),
              c.allPositionLogits(),
              adapter == null ? null : adapter.weights()));
      rows += c.numLogitRows();
    }
    try {
      float[][] logits = executor.execute(batch);
      if (logits == null || logits.length != rows) {
        throw new IllegalStateException(
            "executor returned "
                + (logits == null ? "null" : logits.length + " logits rows")
                + " where "
                + rows
                + " were wanted");
      }
      return logits;
    } catch (RuntimeException e) {
      LOG.errorf(e, "Model step failed for %d requests", plan.chunks().size());
      String message = "model execution failed: " + e.getMessage();
      for (ScheduledChunk c : plan.chunks()) {
        ActiveRequest req = active.get(c.request().id());
        if (req != null) {
          finish(req, FinishReason.ERROR, message);
        }
      }
      return null;
    }
  }

  /**
   * Samples every sequence that reached its end, then applies the tokens in batch order. Sampling
   * touches only per-request state, so large batches sample in parallel (a 150k-vocabulary row
   * costs about a millisecond); state updates and listeners stay on the engine thread.
   */
  private void sampleAndEmit(SchedulerOutput plan, float[][] logits) {
    List<ActiveRequest> reqs = new ArrayList<>();
    List<float[]> rows = new ArrayList<>();
    int row = 0;
    for (ScheduledChunk chunk : plan.chunks()) {
      if (chunk.allPositionLogits()) {
        collectPromptLogprobs(chunk, logits, row);
      }
      row += chunk.numLogitRows();
      if (chunk.samples()) {
        float[] rowLogits = logits[row - 1];
        ActiveRequest req = active.get(chunk.request().id());
        if (req != null) {
          reqs.add(req);
          rows.add(rowLogits);
        }
      }
    }
    Object[] results = new Object[reqs.size()];
    IntStream indices = IntStream.range(0, reqs.size());
    if (reqs.size() >= PARALLEL_SAMPLING_MIN) {
      indices = indices.parallel();
    }
    indices.forEach(i -> results[i] = trySample(reqs.get(i), rows.get(i)));
    for (int i = 0; i < results.length; i++) {
      ActiveRequest req = reqs.get(i);
      try {
        if (results[i] instanceof RuntimeException e) {
          throw e;
        }
        FinishReason reason = acceptToken(req, (SampleResult) results[i]);
        if (reason != null) {
          finish(req, reason, null);
        } else {
          emit(req, req.output.takeOutput(null, null));
        }
      } catch (RuntimeException e) {
        LOG.errorf(e, "Sampling failed for request %s", req.id());
        finish(req, FinishReason.ERROR, "sampling failed: " + e.getMessage());
      }
    }
  }

  /**
   * Scores the prompt tokens this chunk's rows predict; once the prompt is complete its logprobs go
   * out with the request's first output and its later chunks need only the sampling row.
   */
  private void collectPromptLogprobs(ScheduledChunk chunk, float[][] logits, int firstRow) {
    ActiveRequest req = active.get(chunk.request().id());
    if (req == null) {
      return;
    }
    for (int i = 0; i < chunk.numTokens(); i++) {
      req.promptLogprobs.accept(chunk.startPosition() + i, logits[firstRow + i]);
    }
    if (req.promptLogprobs.complete()) {
      req.state.promptLogitsDone();
      req.output.setPromptLogprobs(
          req.promptLogprobs.result(t -> tokenizer.decode(new int[] {t}, false)));
    }
  }

  /** The sampled token, or the exception sampling threw. */
  private Object trySample(ActiveRequest req, float[] logits) {
    try {
      SamplingParams params = req.state.params();
      int numLogprobs = params.logprobs() == null ? -1 : params.logprobs();
      return sampler.sample(logits, params, req.sampling, numLogprobs);
    } catch (RuntimeException e) {
      return e;
    }
  }

  private FinishReason acceptToken(ActiveRequest req, SampleResult r) {
    boolean first = req.state.numOutputTokens() == 0;
    req.state.appendToken(r.token());
    req.sampling.accept(r.token());
    stepGenerationTokens++;
    if (first) {
      stepPromptTokens += req.state.numPromptTokens();
    }
    recordTokenTiming(req, first);
    return req.output.accept(r.token(), r.logprob(), r.topTokens(), r.topLogprobs());
  }

  private void recordTokenTiming(ActiveRequest req, boolean first) {
    if (!metrics.enabled()) {
      return;
    }
    long now = clock.getAsLong();
    if (first) {
      req.firstTokenNanos = now;
      metrics.onFirstToken(seconds(now - req.state.request().arrivalNanos()));
    } else {
      metrics.onInterToken(seconds(now - req.lastTokenNanos));
    }
    req.lastTokenNanos = now;
  }

  /** Ends a request: frees its blocks, sends its last output, records its totals. */
  private void finish(ActiveRequest req, FinishReason reason, String error) {
    scheduler.finish(req.state, reason);
    active.remove(req.id());
    // The adapter may be evicted from now on; the executor no longer sees this request.
    AdapterLease adapter = req.state.request().adapter();
    if (adapter != null) {
      adapter.close();
    }
    emit(req, req.output.takeOutput(reason, error));
    if (metrics.enabled()) {
      long now = clock.getAsLong();
      long arrival = req.state.request().arrivalNanos();
      RequestGroup group = req.state.request().group();
      metrics.onFinished(
          new FinishedStats(
              reason,
              req.state.numPromptTokens(),
              req.state.numOutputTokens(),
              seconds(now - arrival),
              req.firstScheduledNanos == 0
                  ? Double.NaN
                  : seconds(req.firstScheduledNanos - arrival),
              req.firstTokenNanos == 0
                  ? Double.NaN
                  : seconds(req.firstTokenNanos - req.firstScheduledNanos),
              req.firstTokenNanos == 0
                  ? Double.NaN
                  : seconds(req.lastTokenNanos - req.firstTokenNanos),
              group.maxTokensParam()));
      group
          .choiceFinished(req.state.numOutputTokens())
          .ifPresent(max -> metrics.onPromptFinished(group.n(), max));
    }
  }

  private void recordStep(SchedulerOutput plan) {
    if (!metrics.enabled()) {
      return;
    }
    recordLora();
    metrics.onStep(
        new StepStats(
            scheduler.numRunning(),
            scheduler.numWaiting(),
            kv.usage(),
            plan.numScheduledTokens(),
            plan.preempted().size(),
            plan.prefixQueryTokens(),
            plan.prefixHitTokens(),
            stepPromptTokens,
            stepGenerationTokens));
  }

  /** Publishes the gauges without a step (after aborts or when the loop goes idle). */
  void recordIdle() {
    if (metrics.enabled()) {
      recordLora();
      metrics.onStep(
          new StepStats(
              scheduler.numRunning(), scheduler.numWaiting(), kv.usage(), 0, 0, 0, 0, 0, 0));
    }
  }

  /** The adapters of the running and the waiting requests, for vllm:lora_requests_info. */
  private void recordLora() {
    if (metrics.tracksLora()) {
      metrics.onLoraStep(adapterNames(scheduler.running()), adapterNames(scheduler.waiting()));
    }
  }

  private static List<String> adapterNames(List<EngineRequest> requests) {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    for (EngineRequest r : requests) {
      String name = r.request().adapterName();
      if (name != null) {
        names.add(name);
      }
    }
    return List.copyOf(names);
  }

  private void emit(ActiveRequest req, RequestOutput out) {
    try {
      req.listener.accept(out);
    } catch (RuntimeException e) {
      LOG.warnf(e, "Listener of request %s failed", req.id());
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
