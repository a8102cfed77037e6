package dev.cairn.worker.engine.metrics;

import dev.cairn.api.MetricNames;
import dev.cairn.worker.engine.FinishReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * vLLM's engine metrics with its exact names, labels ({@code model_name}, {@code engine="0"}) and
 * buckets (design.md "Metrics"). Seconds are Micrometer {@link Timer}s, token counts {@link
 * DistributionSummary}s with integer buckets.
 */
public final class VllmEngineMetrics implements EngineMetrics {

  static final double[] TTFT_BUCKETS = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40,
    80, 160, 640, 2560
  };
  static final double[] TOKEN_LATENCY_BUCKETS = {
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80
  };
  static final double[] REQUEST_LATENCY_BUCKETS = {
    0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680
  };
  static final double[] ITERATION_TOKEN_BUCKETS = {
    1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384
  };

  private final Counter promptTokens;
  private final Counter generationTokens;
  private final Counter preemptions;
  private final Counter prefixQueries;
  private final Counter prefixHits;
  private final Map<FinishReason, Counter> success = new EnumMap<>(FinishReason.class);
  private final Timer ttft;
  private final Timer interToken;
  private final Timer tpot;
  private final Timer e2e;
  private final Timer queue;
  private final Timer prefill;
  private final Timer decode;
  private final DistributionSummary promptLen;
  private final DistributionSummary generationLen;
  private final DistributionSummary iterationTokens;
  private volatile StepStats last = new StepStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

  public VllmEngineMetrics(MeterRegistry registry, String modelName, int maxModelLen) {
    Tags tags = Tags.of(MetricNames.LABEL_MODEL_NAME, modelName, MetricNames.LABEL_ENGINE, "0");
    Gauge.builder(MetricNames.VLLM_RUNNING, this, m -> m.last.numRunning())
        .description("Number of requests in model execution batches.")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(MetricNames.VLLM_WAITING, this, m -> m.last.numWaiting())
        .description("Number of requests waiting to be processed.")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(MetricNames.VLLM_KV_USAGE, this, m -> m.last.kvUsage())
        .description("KV-cache usage. 1 means 100 percent usage.")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    promptTokens =
        counter(registry, MetricNames.VLLM_PROMPT_TOKENS, "Number of prefill tokens.", tags);
    generationTokens =
        counter(registry, MetricNames.VLLM_GENERATION_TOKENS, "Number of generation tokens.", tags);
    preemptions =
        counter(registry, MetricNames.VLLM_PREEMPTIONS, "Cumulative number of preemptions.", tags);
    prefixQueries =
        counter(registry, MetricNames.VLLM_PREFIX_QUERIES, "Prefix cache queries (tokens).", tags);
    prefixHits =
        counter(registry, MetricNames.VLLM_PREFIX_HITS, "Prefix cache hits (tokens).", tags);
    for (FinishReason reason : FinishReason.values()) {
      success.put(
          reason,
          counter(
              registry,
              MetricNames.VLLM_REQUEST_SUCCESS,
              "Count of successfully processed requests.",
              tags.and(MetricNames.LABEL_FINISHED_REASON, reason.label())));
    }
    ttft =
        timer(
            registry,
            MetricNames.VLLM_TTFT,
            "Histogram of time to first token in seconds.",
            TTFT_BUCKETS,
            tags);
    interToken =
        timer(
            registry,
            MetricNames.VLLM_ITL,
            "Histogram of inter-token latency in seconds.",
            TOKEN_LATENCY_BUCKETS,
            tags);
    tpot =
        timer(
            registry,
            MetricNames.VLLM_TPOT,
            "Histogram of time_per_output_token_seconds per request.",
            TOKEN_LATENCY_BUCKETS,
            tags);
    e2e =
        timer(
            registry,
            MetricNames.VLLM_E2E,
            "Histogram of e2e request latency in seconds.",
            REQUEST_LATENCY_BUCKETS,
            tags);
    queue =
        timer(
            registry,
            MetricNames.VLLM_QUEUE,
            "Histogram of time spent in WAITING phase for request.",
            REQUEST_LATENCY_BUCKETS,
            tags);
    prefill =
        timer(
            registry,
            MetricNames.VLLM_PREFILL,
            "Histogram of time spent in PREFILL phase for request.",
            REQUEST_LATENCY_BUCKETS,
            tags);
    decode =
        timer(
            registry,
            MetricNames.VLLM_DECODE,
            "Histogram of time spent in DECODE phase for request.",
            REQUEST_LATENCY_BUCKETS,
            tags);
    double[] lenBuckets = oneTwoFiveBuckets(maxModelLen);
    promptLen =
        summary(
            registry,
            MetricNames.VLLM_PROMPT_LEN,
            "Number of prefill tokens processed.",
            lenBuckets,
            tags);
    generationLen =
        summary(
            registry,
            MetricNames.VLLM_GENERATION_LEN,
            "Number of generation tokens processed.",
            lenBuckets,
            tags);
    iterationTokens =
        summary(
            registry,
            MetricNames.VLLM_ITERATION_TOKENS,
            "Histogram of number of tokens per engine_step.",
            ITERATION_TOKEN_BUCKETS,
            tags);
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
  }

  @Override
  public void onFinished(FinishedStats s) {
    success.get(s.reason()).increment();
    record(e2e, s.e2eSeconds());
    record(queue, s.queueSeconds());
    record(prefill, s.prefillSeconds());
    record(decode, s.decodeSeconds());
    if (s.generationTokens() > 1 && !Double.isNaN(s.decodeSeconds())) {
      record(tpot, s.decodeSeconds() / (s.generationTokens() - 1));
    }
    promptLen.record(s.promptTokens());
    generationLen.record(s.generationTokens());
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

  private static Counter counter(MeterRegistry r, String name, String help, Tags tags) {
    return Counter.builder(name).description(help).tags(tags).register(r);
  }

  private static Timer timer(
      MeterRegistry r, String name, String help, double[] buckets, Tags tags) {
    Duration[] slos = new Duration[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      slos[i] = Duration.ofNanos(Math.round(buckets[i] * 1e9));
    }
    return Timer.builder(name)
        .description(help)
        .serviceLevelObjectives(slos)
        .tags(tags)
        .register(r);
  }

  private static DistributionSummary summary(
      MeterRegistry r, String name, String help, double[] buckets, Tags tags) {
    return DistributionSummary.builder(name)
        .description(help)
        .serviceLevelObjectives(buckets)
        .tags(tags)
        .register(r);
  }
}
