package dev.cairn.worker.engine.metrics;

import dev.cairn.api.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * vLLM's {@code vllm:lora_requests_info} on top of the other engine metrics: a gauge whose value is
 * the time (epoch seconds) it was last set, labelled {@code running_lora_adapters} and {@code
 * waiting_lora_adapters} (comma-separated adapter names) and {@code max_lora} (the per-step limit).
 * As in vLLM each combination of names is its own series, so the newest value marks the current
 * state (PromQL: {@code topk(1, vllm:lora_requests_info)}). Checked against vLLM's {@code
 * vllm/v1/metrics/loggers.py} (commit 005a810b): the same three labels and no {@code model_name} or
 * {@code engine}; vLLM sets the time on every step, this at most once a second while the state
 * stays the same, which no scrape can tell apart.
 */
public final class LoraRequestsInfo implements EngineMetrics {

  private final EngineMetrics inner;
  private final MeterRegistry registry;
  private final String maxLora;
  private final LongSupplier epochMillis;
  private final Map<String, AtomicLong> series = new ConcurrentHashMap<>(); // by label key
  private String lastKey;

  /**
   * @param inner the other engine metrics (enabled)
   * @param maxLora spec.lora.maxLorasPerBatch (vLLM's max_loras)
   * @param epochMillis wall clock
   */
  public LoraRequestsInfo(
      EngineMetrics inner, MeterRegistry registry, int maxLora, LongSupplier epochMillis) {
    this.inner = inner;
    this.registry = registry;
    this.maxLora = Integer.toString(maxLora);
    this.epochMillis = epochMillis;
  }

  @Override
  public boolean tracksLora() {
    return true;
  }

  @Override
  public void onLoraStep(List<String> running, List<String> waiting) {
    String r = String.join(",", running);
    String w = String.join(",", waiting);
    String key = r + "\n" + w;
    // Idle steps repeat the same state: set the time once per change or second, not every step.
    long now = epochMillis.getAsLong();
    AtomicLong value = series.computeIfAbsent(key, k -> register(r, w));
    if (!key.equals(lastKey) || now - value.get() >= 1000) {
      value.set(now);
      lastKey = key;
    }
  }

  private AtomicLong register(String running, String waiting) {
    AtomicLong millis = new AtomicLong();
    Gauge.builder(MetricNames.VLLM_LORA_REQUESTS_INFO, millis, m -> m.get() / 1000.0)
        .description("Running stats on lora requests.")
        .tag(MetricNames.LABEL_MAX_LORA, maxLora)
        .tag(MetricNames.LABEL_RUNNING_LORA_ADAPTERS, running)
        .tag(MetricNames.LABEL_WAITING_LORA_ADAPTERS, waiting)
        .register(registry);
    return millis;
  }

  @Override
  public boolean enabled() {
    return inner.enabled();
  }

  @Override
  public void onStep(StepStats stats) {
    inner.onStep(stats);
  }

  @Override
  public void onFirstToken(double seconds) {
    inner.onFirstToken(seconds);
  }

  @Override
  public void onInterToken(double seconds) {
    inner.onInterToken(seconds);
  }

  @Override
  public void onFinished(FinishedStats stats) {
    inner.onFinished(stats);
  }

  @Override
  public void onPromptFinished(int n, int maxGenerationTokens) {
    inner.onPromptFinished(n, maxGenerationTokens);
  }
}
