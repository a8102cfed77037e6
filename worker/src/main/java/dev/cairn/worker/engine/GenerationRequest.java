package dev.cairn.worker.engine;

/**
 * A request handed to the engine: prompt token ids and sampling parameters.
 *
 * @param requestId unique id (the server's response id, suffixed per choice when n > 1)
 * @param promptTokens the prompt, already templated and encoded, {@code [promptLen]}
 * @param params sampling and stopping
 * @param arrivalNanos {@link System#nanoTime()} when the HTTP request arrived (TTFT and queue time
 *     count from here)
 */
public record GenerationRequest(
    String requestId, int[] promptTokens, SamplingParams params, long arrivalNanos) {}
