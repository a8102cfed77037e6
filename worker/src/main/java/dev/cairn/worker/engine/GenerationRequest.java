package dev.cairn.worker.engine;

import dev.cairn.worker.lora.AdapterLease;

/**
 * A request handed to the engine: prompt token ids, sampling parameters and the LoRA adapter.
 *
 * @param requestId unique id (the server's response id, suffixed per choice when n > 1)
 * @param promptTokens the prompt, already templated and encoded, {@code [promptLen]}
 * @param params sampling and stopping
 * @param arrivalNanos {@link System#nanoTime()} when the HTTP request arrived (TTFT and queue time
 *     count from here)
 * @param adapter the LoRA adapter the request runs with, or null for the base model; once {@link
 *     Engine#submit} returns the engine owns the lease and closes it when the request finishes (if
 *     submit throws, the caller still owns it)
 * @param group the choices sharing this prompt, for the per-prompt metrics
 */
public record GenerationRequest(
    String requestId,
    int[] promptTokens,
    SamplingParams params,
    long arrivalNanos,
    AdapterLease adapter,
    RequestGroup group) {

  /** A lone request (n = 1, no client max_tokens) on the base model. */
  public GenerationRequest(
      String requestId, int[] promptTokens, SamplingParams params, long arrivalNanos) {
    this(requestId, promptTokens, params, arrivalNanos, null, RequestGroup.single());
  }

  /** A lone request (n = 1, no client max_tokens) with {@code adapter} (null: the base model). */
  public GenerationRequest(
      String requestId,
      int[] promptTokens,
      SamplingParams params,
      long arrivalNanos,
      AdapterLease adapter) {
    this(requestId, promptTokens, params, arrivalNanos, adapter, RequestGroup.single());
  }

  /** The adapter's name, or null for the base model. */
  public String adapterName() {
    return adapter == null ? null : adapter.name();
  }

  /** A key for the adapter's load (prefix-cache namespace, batching): 0 for the base model. */
  public long adapterKey() {
    return adapter == null ? 0 : adapter.id();
  }
}
