package dev.cairn.worker.engine.metrics;

import dev.cairn.api.MetricNames;
import dev.cairn.api.VllmBuckets;
import dev.cairn.worker.engine.FinishReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * vLLM's engine metrics with its exact names, labels ({@code model_name}, {@code engine="0"}) and
 * buckets (design.md "Metrics"), including the deprecated aliases older dashboards still query.
 */
public final class VllmEngineMetrics implements EngineMetrics {

  static final double[] TTFT_BUCKETS = VllmBuckets.array(VllmBuckets.TTFT_SECONDS);
  static final double[] TOKEN_LATENCY_BUCKETS = {
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80
  };
  static final double[] REQUEST_LATENCY_BUCKETS = {
    0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680
  };
  static final double[] ITERATION_TOKEN_BUCKETS = {
    1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384
  };
  static final double[] N_BUCKETS = {1, 2, 5, 10, 20};

  private final Counter promptTokens;
  private final Counter generationTokens;
  private final Counter preemptions;
  private final Counter prefixQueries;
  private final Counter prefixHits;
  private final Counter gpuPrefixQueries;
  private final Counter gpuPrefixHits;
  private final Map<FinishReason, Counter> success = new EnumMap<>(FinishReason.class);
  private final Timer ttft;
  private final Timer interToken;
  private final Timer timePerOutputToken;
  private final Timer tpot;
  private final Timer e2e;
  private final Timer queue;
  private final Timer inference;
  private final Timer prefill;
  private final Timer decode;
  private final DistributionSummary promptLen;
  private final DistributionSummary generationLen;
  private final DistributionSummary maxGenerationLen;
  private final DistributionSummary paramsN;
  private final DistributionSummary paramsMaxTokens;
  private final DistributionSummary iterationTokens;
  private volatile StepStats last = new StepStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

  public VllmEngineMetrics(
      MeterRegistry registry, String modelName, int maxModelLen, CacheConfigInfo cacheConfig) {
    VllmMeters m =
        new VllmMeters(
            registry,
            Tags.of(MetricNames.LABEL_MODEL_NAME, modelName, MetricNames.LABEL_ENGINE, "0"));
    registerGauges(m);
    registerCacheConfig(m, cacheConfig);
    promptTokens = m.counter(MetricNames.VLLM_PROMPT_TOKENS, "Number of prefill tokens.");
    generationTokens =
        m.counter(MetricNames.VLLM_GENERATION_TOKENS, "Number of generation tokens.");
    preemptions = m.counter(MetricNames.VLLM_PREEMPTIONS, "Cumulative number of preemptions.");
    prefixQueries = m.counter(MetricNames.VLLM_PREFIX_QUERIES, "Prefix cache queries (tokens).");
    prefixHits = m.counter(MetricNames.VLLM_PREFIX_HITS, "Prefix cache hits (tokens).");
    gpuPrefixQueries =
        m.counter(
            MetricNames.VLLM_GPU_PREFIX_QUERIES,
            "Prefix cache queries (tokens). DEPRECATED: use vllm:prefix_cache_queries.");
    gpuPrefixHits =
        m.counter(
            MetricNames.VLLM_GPU_PREFIX_HITS,
            "Prefix cache hits (tokens). DEPRECATED: use vllm:prefix_cache_hits.");
    for (FinishReason reason : FinishReason.values()) {
      Tags tags = m.tags().and(MetricNames.LABEL_FINISHED_REASON, reason.label());
      success.put(
          reason,
          m.counter(
              MetricNames.VLLM_REQUEST_SUCCESS, "Count of successfully processed requests.", tags));
    }
    ttft =
        m.timer(
            MetricNames.VLLM_TTFT, "Histogram of time to first token in seconds.", TTFT_BUCKETS);
    interToken =
        m.timer(
            MetricNames.VLLM_ITL,
            "Histogram of inter-token latency in seconds.",
            TOKEN_LATENCY_BUCKETS);
    timePerOutputToken =
        m.timer(
            MetricNames.VLLM_TIME_PER_OUTPUT_TOKEN,
            "Time per output token in seconds. DEPRECATED: use vllm:inter_token_latency_seconds.",
            TOKEN_LATENCY_BUCKETS);
    tpot =
        m.timer(
            MetricNames.VLLM_TPOT,
            "Histogram of time_per_output_token_seconds per request.",
            TOKEN_LATENCY_BUCKETS);
    e2e =
        m.timer(
            MetricNames.VLLM_E2E,
            "Histogram of e2e request latency in seconds.",
            REQUEST_LATENCY_BUCKETS);
    queue =
        m.timer(
            MetricNames.VLLM_QUEUE,
            "Histogram of time spent in WAITING phase for request.",
            REQUEST_LATENCY_BUCKETS);
    inference =
        m.timer(
            MetricNames.VLLM_INFERENCE,
            "Histogram of time spent in RUNNING phase for request.",
            REQUEST_LATENCY_BUCKETS);
    prefill =
        m.timer(
            MetricNames.VLLM_PREFILL,
            "Histogram of time spent in PREFILL phase for request.",
            REQUEST_LATENCY_BUCKETS);
    decode =
        m.timer(
            MetricNames.VLLM_DECODE,
            "Histogram of time spent in DECODE phase for request.",
            REQUEST_LATENCY_BUCKETS);
    double[] lenBuckets = oneTwoFiveBuckets(maxModelLen);
    promptLen =
        m.summary(MetricNames.VLLM_PROMPT_LEN, "Number of prefill tokens processed.", lenBuckets);
    generationLen =
        m.summary(
            MetricNames.VLLM_GENERATION_LEN, "Number of generation tokens processed.", lenBuckets);
    maxGenerationLen =
        m.summary(
            MetricNames.VLLM_MAX_GENERATION_LEN,
            "Histogram of maximum number of requested generation tokens.",
            lenBuckets);
    paramsN =
        m.summary(MetricNames.VLLM_PARAMS_N, "Histogram of the n request parameter.", N_BUCKETS);
    paramsMaxTokens =
        m.summary(
            MetricNames.VLLM_PARAMS_MAX_TOKENS,
            "Histogram of the max_tokens request parameter.",
            lenBuckets);
    iterationTokens =
        m.summary(
            MetricNames.VLLM_ITERATION_TOKENS,
            "Histogram of number of tokens per engine_step.",
            ITERATION_TOKEN_BUCKETS);
  }

  private void registerGauges(VllmMeters m) {
    m.gauge(
        MetricNames.VLLM_RUNNING,
        "Number of requests in model execution batches.",
        () -> last.numRunning());
    m.gauge(
        MetricNames.VLLM_WAITING,
        "Number of requests waiting to be processed.",
        () -> last.numWaiting());
    m.gauge(
        MetricNames.VLLM_KV_USAGE,
        "KV-cache usage. 1 means 100 percent usage.",
        () -> last.kvUsage());
    m.gauge(
        MetricNames.VLLM_GPU_CACHE_USAGE,
        "KV-cache usage. 1 means 100 percent usage. DEPRECATED: use vllm:kv_cache_usage_perc.",
        () -> last.kvUsage());
  }

  private static void registerCacheConfig(VllmMeters m, CacheConfigInfo cacheConfig) {
    Tags info = Tags.of(MetricNames.LABEL_ENGINE, "0");
    for (Map.Entry<String, String> label : cacheConfig.labels().entrySet()) {
      info = info.and(label.getKey(), label.getValue());
    }
    m.info(MetricNames.VLLM_CACHE_CONFIG_INFO, "Information of the LLMEngine CacheConfig", info);
  }

  /** 1, 2, 5, 10, 20, 50, ... while not above {@code max} (vLLM's build_1_2_5_buckets). */
  static double[] oneTwoFiveBuckets(int max) {
    List<Double> out = new ArrayList<>();
    for (long exp = 1; ; exp *= 10) {
      for (int m : new int[] {1, 2, 5}) {
        long v = m * exp;
        if (v > max) {
          return out.stream().mapToDouble(Double::doubleValue).toArray();
        }
        out.add((double) v);
      }
    }
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void onStep(StepStats stats) {
    last = stats;
    if (stats.numScheduledTokens() > 0) {
      iterationTokens.record(stats.numScheduledTokens());
    }
    increment(preemptions, stats.numPreemptions());
    increment(prefixQueries, stats.prefixQueryTokens());
    increment(prefixHits, stats.prefixHitTokens());
    increment(gpuPrefixQueries, stats.prefixQueryTokens());
    increment(gpuPrefixHits, stats.prefixHitTokens());
    increment(promptTokens, stats.promptTokens());
    increment(generationTokens, stats.generationTokens());
  }

  @Override
  public void onFirstToken(double seconds) {
    record(ttft, seconds);
  }

  @Override
  public void onInterToken(double seconds) {
    record(interToken, seconds);
    record(timePerOutputToken, seconds);
  }

  @Override
  public void onFinished(FinishedStats s) {
    success.get(s.reason()).increment();
    record(e2e, s.e2eSeconds());
    record(queue, s.queueSeconds());
    record(inference, s.inferenceSeconds());
    record(prefill, s.prefillSeconds());
    record(decode, s.decodeSeconds());
    if (s.generationTokens() > 1 && !Double.isNaN(s.decodeSeconds())) {
      record(tpot, s.decodeSeconds() / (s.generationTokens() - 1));
    }
    promptLen.record(s.promptTokens());
    generationLen.record(s.generationTokens());
    if (s.maxTokensParam() > 0) {
      paramsMaxTokens.record(s.maxTokensParam());
    }
  }

  @Override
  public void onPromptFinished(int n, int maxGenerationTokens) {
    paramsN.record(n);
    maxGenerationLen.record(maxGenerationTokens);
  }

  private static void increment(Counter c, long amount) {
    if (amount > 0) {
      c.increment(amount);
    }
  }

  private static void record(Timer t, double seconds) {
    if (!Double.isNaN(seconds)) {
      t.record(Math.max(0, Math.round(seconds * 1e9)), TimeUnit.NANOSECONDS);
    }
  }
}
