package dev.cairn.worker.engine.metrics;

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
    Tags tags = Tags.of("model_name", modelName, "engine", "0");
    Gauge.builder("vllm:num_requests_running", this, m -> m.last.numRunning())
        .description("Number of requests in model execution batches.")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder("vllm:num_requests_waiting", this, m -> m.last.numWaiting())
        .description("Number of requests waiting to be processed.")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder("vllm:kv_cache_usage_perc", this, m -> m.last.kvUsage())
        .description("KV-cache usage. 1 means 100 percent usage.")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    promptTokens = counter(registry, "vllm:prompt_tokens_total", "Number of prefill tokens.", tags);
    generationTokens =
        counter(registry, "vllm:generation_tokens_total", "Number of generation tokens.", tags);
    preemptions =
        counter(registry, "vllm:num_preemptions_total", "Cumulative number of preemptions.", tags);
    prefixQueries =
        counter(
            registry, "vllm:prefix_cache_queries_total", "Prefix cache queries (tokens).", tags);
    prefixHits =
        counter(registry, "vllm:prefix_cache_hits_total", "Prefix cache hits (tokens).", tags);
    for (FinishReason reason : FinishReason.values()) {
      success.put(
          reason,
          counter(
              registry,
              "vllm:request_success_total",
              "Count of successfully processed requests.",
              tags.and("finished_reason", reason.label())));
    }
    ttft = timer(registry, "vllm:time_to_first_token_seconds", TTFT_BUCKETS, tags);
    interToken = timer(registry, "vllm:inter_token_latency_seconds", TOKEN_LATENCY_BUCKETS, tags);
    tpot =
        timer(registry, "vllm:request_time_per_output_token_seconds", TOKEN_LATENCY_BUCKETS, tags);
    e2e = timer(registry, "vllm:e2e_request_latency_seconds", REQUEST_LATENCY_BUCKETS, tags);
    queue = timer(registry, "vllm:request_queue_time_seconds", REQUEST_LATENCY_BUCKETS, tags);
    prefill = timer(registry, "vllm:request_prefill_time_seconds", REQUEST_LATENCY_BUCKETS, tags);
    decode = timer(registry, "vllm:request_decode_time_seconds", REQUEST_LATENCY_BUCKETS, tags);
    double[] lenBuckets = oneTwoFiveBuckets(maxModelLen);
    promptLen = summary(registry, "vllm:request_prompt_tokens", lenBuckets, tags);
    generationLen = summary(registry, "vllm:request_generation_tokens", lenBuckets, tags);
    iterationTokens =
        summary(registry, "vllm:iteration_tokens_total", ITERATION_TOKEN_BUCKETS, tags);
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

  private static Timer timer(MeterRegistry r, String name, double[] buckets, Tags tags) {
    Duration[] slos = new Duration[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      slos[i] = Duration.ofNanos(Math.round(buckets[i] * 1e9));
    }
    return Timer.builder(name).serviceLevelObjectives(slos).tags(tags).register(r);
  }

  private static DistributionSummary summary(
      MeterRegistry r, String name, double[] buckets, Tags tags) {
    return DistributionSummary.builder(name).serviceLevelObjectives(buckets).tags(tags).register(r);
  }
}
