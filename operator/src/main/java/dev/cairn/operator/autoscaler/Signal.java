package dev.cairn.operator.autoscaler;

import dev.cairn.api.MetricNames;

/**
 * A load signal the autoscaler can target, read from each ready pod's {@code /metrics}. Each
 * replica's value is its average over the look-back window, or for a counter its rate over it.
 */
public enum Signal {
  /** In-flight requests per replica (Ray's target_ongoing_requests); always on. */
  ONGOING_REQUESTS("ongoing requests", MetricNames.ONGOING_REQUESTS, false),
  /** Requests queued in the engine per replica; an engine metric. */
  WAITING_REQUESTS("waiting requests", MetricNames.VLLM_WAITING, false),
  /** Fraction of the KV pool in use per replica, 0–1; an engine metric. */
  KV_CACHE_USAGE("KV cache usage", MetricNames.VLLM_KV_USAGE, false),
  /** Generated tokens per second per replica; a service metric, so on with engine metrics off. */
  TOKENS_PER_SECOND("generated tokens/s", MetricNames.GENERATION_TOKENS_TOTAL, true);

  private final String text;
  private final String metricName;
  private final boolean counter;

  Signal(String text, String metricName, boolean counter) {
    this.text = text;
    this.metricName = metricName;
    this.counter = counter;
  }

  /** How events and reasons name it, e.g. "waiting requests". */
  public String text() {
    return text;
  }

  /** The metric family summed over a pod's series. */
  public String metricName() {
    return metricName;
  }

  /** True for a counter, whose rate (not level) is the signal. */
  public boolean counter() {
    return counter;
  }
}
