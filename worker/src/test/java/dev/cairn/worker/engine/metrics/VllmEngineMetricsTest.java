package dev.cairn.worker.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.engine.FinishReason;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Renders the Prometheus text and checks names, labels and buckets against design.md exactly. */
class VllmEngineMetricsTest {

  private static final Pattern SAMPLE = Pattern.compile("^([^{\\s]+)\\{([^}]*)}\\s+(\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\",?");

  static final CacheConfigInfo CACHE = new CacheConfigInfo(16, 4096, true, "auto");

  static final Map<String, String> HISTOGRAM_BUCKETS = new LinkedHashMap<>();

  static {
    String ttft =
        "0.001 0.005 0.01 0.02 0.04 0.06 0.08 0.1 0.25 0.5 0.75 1 2.5 5 7.5 10 20 40 80 160 640 2560";
    String tokenLatency =
        "0.01 0.025 0.05 0.075 0.1 0.15 0.2 0.3 0.4 0.5 0.75 1 2.5 5 7.5 10 20 40 80";
    String requestLatency =
        "0.3 0.5 0.8 1 1.5 2 2.5 5 10 15 20 30 40 50 60 120 240 480 960 1920 7680";
    String lengths = "1 2 5 10 20 50 100 200 500 1000 2000"; // max_model_len 2048
    HISTOGRAM_BUCKETS.put("vllm:time_to_first_token_seconds", ttft);
    HISTOGRAM_BUCKETS.put("vllm:inter_token_latency_seconds", tokenLatency);
    HISTOGRAM_BUCKETS.put("vllm:request_time_per_output_token_seconds", tokenLatency);
    HISTOGRAM_BUCKETS.put("vllm:e2e_request_latency_seconds", requestLatency);
    HISTOGRAM_BUCKETS.put("vllm:request_queue_time_seconds", requestLatency);
    HISTOGRAM_BUCKETS.put("vllm:request_prefill_time_seconds", requestLatency);
    HISTOGRAM_BUCKETS.put("vllm:request_decode_time_seconds", requestLatency);
    HISTOGRAM_BUCKETS.put("vllm:request_inference_time_seconds", requestLatency);
    HISTOGRAM_BUCKETS.put("vllm:time_per_output_token_seconds", tokenLatency);
    HISTOGRAM_BUCKETS.put("vllm:request_max_num_generation_tokens", lengths);
    HISTOGRAM_BUCKETS.put("vllm:request_params_max_tokens", lengths);
    HISTOGRAM_BUCKETS.put("vllm:request_params_n", "1 2 5 10 20");
    HISTOGRAM_BUCKETS.put("vllm:request_prompt_tokens", lengths);
    HISTOGRAM_BUCKETS.put("vllm:request_generation_tokens", lengths);
    HISTOGRAM_BUCKETS.put(
        "vllm:iteration_tokens_total", "1 8 16 32 64 128 256 512 1024 2048 4096 8192 16384");
  }

  static final Set<String> GAUGES =
      Set.of(
          "vllm:num_requests_running",
          "vllm:num_requests_waiting",
          "vllm:kv_cache_usage_perc",
          "vllm:gpu_cache_usage_perc",
          "vllm:cache_config_info");
  static final Set<String> COUNTERS =
      Set.of(
          "vllm:prompt_tokens_total",
          "vllm:generation_tokens_total",
          "vllm:request_success_total",
          "vllm:num_preemptions_total",
          "vllm:prefix_cache_queries_total",
          "vllm:prefix_cache_hits_total",
          "vllm:gpu_prefix_cache_queries_total",
          "vllm:gpu_prefix_cache_hits_total");

  /** One exposition sample. */
  record Sample(String name, Map<String, String> labels, double value) {}

  static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return samples;
  }

  private static String fmt(String bucket) {
    return Double.toString(Double.parseDouble(bucket));
  }

  @Test
  void exportsEveryVllmFamilyWithExactNamesLabelsAndBuckets() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineMetrics.create(true, registry, "tiny", 2048, CACHE);
    List<Sample> samples = parse(registry.scrape());

    Set<String> expectedNames = new TreeSet<>();
    expectedNames.addAll(GAUGES);
    expectedNames.addAll(COUNTERS);
    for (String h : HISTOGRAM_BUCKETS.keySet()) {
      expectedNames.addAll(List.of(h + "_bucket", h + "_count", h + "_sum"));
    }
    Set<String> vllmNames = new TreeSet<>();
    samples.stream().map(Sample::name).filter(n -> n.startsWith("vllm:")).forEach(vllmNames::add);
    // Micrometer adds a "<histogram>_max" gauge beside each histogram; everything else is vLLM's.
    Set<String> withoutMax = new TreeSet<>(vllmNames);
    withoutMax.removeIf(n -> n.endsWith("_max"));
    assertThat(withoutMax).isEqualTo(expectedNames);
    assertThat(vllmNames)
        .allMatch(
            n ->
                withoutMax.contains(n)
                    || HISTOGRAM_BUCKETS.containsKey(n.substring(0, n.length() - 4)));

    // vLLM's info gauge carries the engine and its cache settings, not the model.
    assertThat(samples.stream().filter(s -> s.name().equals("vllm:cache_config_info")).toList())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.value()).isEqualTo(1.0);
              assertThat(s.labels())
                  .isEqualTo(
                      Map.of(
                          "engine", "0",
                          "block_size", "16",
                          "cache_dtype", "auto",
                          "enable_prefix_caching", "True",
                          "num_gpu_blocks", "4096"));
            });
    for (Sample s : samples) {
      if (!s.name().startsWith("vllm:") || s.name().equals("vllm:cache_config_info")) {
        continue;
      }
      Map<String, String> base = new TreeMap<>(s.labels());
      base.remove("le");
      base.remove("finished_reason");
      assertThat(base).as(s.name()).isEqualTo(Map.of("model_name", "tiny", "engine", "0"));
    }

    Set<String> reasons = new TreeSet<>();
    samples.stream()
        .filter(s -> s.name().equals("vllm:request_success_total"))
        .forEach(
            s -> {
              reasons.add(s.labels().get("finished_reason"));
              assertThat(s.value()).isZero();
            });
    assertThat(reasons).containsExactlyInAnyOrder("stop", "length", "abort", "error");

    HISTOGRAM_BUCKETS.forEach(
        (name, buckets) -> {
          List<String> expected = new ArrayList<>();
          for (String b : buckets.split(" ")) {
            expected.add(fmt(b));
          }
          expected.add("+Inf");
          List<String> actual =
              samples.stream()
                  .filter(s -> s.name().equals(name + "_bucket"))
                  .map(s -> s.labels().get("le"))
                  .toList();
          assertThat(actual).as(name).isEqualTo(expected);
        });
  }

  @Test
  void recordsStepsAndRequestsInSeconds() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineMetrics m = EngineMetrics.create(true, registry, "tiny", 2048, CACHE);
    m.onStep(new StepStats(3, 2, 0.25, 40, 1, 30, 16, 20, 3));
    m.onFirstToken(0.05);
    m.onInterToken(0.02);
    m.onFinished(new FinishedStats(FinishReason.STOP, 20, 5, 2.0, 0.1, 0.4, 1.2, 8));
    m.onPromptFinished(3, 7);
    List<Sample> samples = parse(registry.scrape());
    assertThat(value(samples, "vllm:num_requests_running", null)).isEqualTo(3);
    assertThat(value(samples, "vllm:num_requests_waiting", null)).isEqualTo(2);
    assertThat(value(samples, "vllm:kv_cache_usage_perc", null)).isEqualTo(0.25);
    assertThat(value(samples, "vllm:prompt_tokens_total", null)).isEqualTo(20);
    assertThat(value(samples, "vllm:generation_tokens_total", null)).isEqualTo(3);
    assertThat(value(samples, "vllm:num_preemptions_total", null)).isEqualTo(1);
    assertThat(value(samples, "vllm:prefix_cache_queries_total", null)).isEqualTo(30);
    assertThat(value(samples, "vllm:prefix_cache_hits_total", null)).isEqualTo(16);
    assertThat(value(samples, "vllm:request_success_total", "stop")).isEqualTo(1);
    assertThat(value(samples, "vllm:iteration_tokens_total_sum", null)).isEqualTo(40);
    assertThat(value(samples, "vllm:time_to_first_token_seconds_sum", null)).isEqualTo(0.05);
    assertThat(value(samples, "vllm:e2e_request_latency_seconds_sum", null)).isEqualTo(2.0);
    assertThat(value(samples, "vllm:request_decode_time_seconds_sum", null)).isEqualTo(1.2);
    // TPOT = decode / (generated - 1) = 1.2 / 4
    assertThat(value(samples, "vllm:request_time_per_output_token_seconds_sum", null))
        .isCloseTo(0.3, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(value(samples, "vllm:request_prompt_tokens_sum", null)).isEqualTo(20);
    // The deprecated aliases carry the same values as their successors.
    assertThat(value(samples, "vllm:gpu_cache_usage_perc", null)).isEqualTo(0.25);
    assertThat(value(samples, "vllm:gpu_prefix_cache_queries_total", null)).isEqualTo(30);
    assertThat(value(samples, "vllm:gpu_prefix_cache_hits_total", null)).isEqualTo(16);
    assertThat(value(samples, "vllm:time_per_output_token_seconds_sum", null)).isEqualTo(0.02);
    // RUNNING = prefill + decode.
    assertThat(value(samples, "vllm:request_inference_time_seconds_sum", null))
        .isCloseTo(1.6, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(value(samples, "vllm:request_params_max_tokens_sum", null)).isEqualTo(8);
    assertThat(value(samples, "vllm:request_params_n_sum", null)).isEqualTo(3);
    assertThat(value(samples, "vllm:request_max_num_generation_tokens_sum", null)).isEqualTo(7);
  }

  @Test
  void maxTokensIsRecordedOnlyWhenTheClientSentIt() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineMetrics m = EngineMetrics.create(true, registry, "tiny", 2048, CACHE);
    m.onFinished(new FinishedStats(FinishReason.LENGTH, 4, 16, 1.0, 0.1, 0.2, 0.7, 0));
    List<Sample> samples = parse(registry.scrape());
    assertThat(value(samples, "vllm:request_params_max_tokens_count", null)).isZero();
    assertThat(value(samples, "vllm:request_generation_tokens_count", null)).isEqualTo(1);
  }

  @Test
  void metricsOffRegistersNothing() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineMetrics m = EngineMetrics.create(false, registry, "tiny", 2048, CACHE);
    assertThat(m).isSameAs(EngineMetrics.NOOP);
    assertThat(m.enabled()).isFalse();
    m.onStep(new StepStats(1, 1, 1, 1, 1, 1, 1, 1, 1));
    assertThat(registry.scrape()).doesNotContain("vllm:");
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void lengthBucketsStopAtMaxModelLen() {
    assertThat(VllmEngineMetrics.oneTwoFiveBuckets(128)).containsExactly(1, 2, 5, 10, 20, 50, 100);
    assertThat(VllmEngineMetrics.oneTwoFiveBuckets(1)).containsExactly(1);
  }

  static double value(List<Sample> samples, String name, String finishedReason) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(
            s -> finishedReason == null || finishedReason.equals(s.labels().get("finished_reason")))
        .mapToDouble(Sample::value)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + name));
  }
}
