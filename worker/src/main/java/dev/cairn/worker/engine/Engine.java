package dev.cairn.worker.engine;

import java.util.function.Consumer;

/**
 * The serving engine: accepts requests, runs them in continuous batches on a step loop, and streams
 * outputs back. Thread-safe; listeners are called on the engine thread and must not block.
 */
public interface Engine extends AutoCloseable {

  /**
   * Queues a request. {@code listener} receives one {@link RequestOutput} per step that produced
   * tokens and exactly one with a {@code finishReason}.
   *
   * @throws IllegalArgumentException when the prompt plus max_tokens exceeds the model's length
   *     (the server checks first and answers 400)
   * @throws EngineOverloadedException when the most requests allowed in flight are already there
   *     (the server answers 503 with Retry-After)
   */
  RequestHandle submit(GenerationRequest request, Consumer<RequestOutput> listener);

  /** Aborts a request: it finishes with {@link FinishReason#ABORT}, its KV blocks freed. */
  void abort(String requestId);

  /** True while the step loop runs and accepts work. */
  boolean isRunning();

  /** Requests being generated now. */
  int numRunning();

  /** Requests queued, not yet scheduled (or preempted). */
  int numWaiting();

  /** The longest prompt + completion accepted. */
  int maxModelLen();

  /** Stops accepting; waits up to {@code timeoutMillis} for running requests, aborts the rest. */
  void drain(long timeoutMillis);

  @Override
  void close();

  /** A submitted request. */
  interface RequestHandle {
    String requestId();

    void abort();
  }
}
