package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.PrometheusProcess;
import dev.cairn.worker.testing.WorkerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ray's older Serve LLM dashboard against Cairn: a real Prometheus scrapes a worker serving the
 * tiny model, and every vLLM series that dashboard's panels read returns data.
 *
 * <p>Facts about that dashboard, read from ray-project/ray {@code
 * python/ray/dashboard/modules/metrics/dashboards/serve_llm_dashboard_panels.py} at commit {@code
 * 046b403fe5f59c624a250d613312a5efb4693987} (the version before the vLLM panels moved to {@code
 * vllm_engine_panels.py}): its panels query the series below with Ray's {@code ray_} prefix, which
 * Ray's metrics agent adds when it re-exports vLLM's metrics, and its {@code WorkerId} label; the
 * names after that prefix are vLLM's, which Cairn exports as they are. Two more targets read {@code
 * vllm:cpu_cache_usage_perc} and {@code vllm:num_requests_swapped}, vLLM V0 families that vLLM V1
 * itself no longer exports (it never swaps to CPU, and neither does Cairn): their panels show their
 * other targets, as against vLLM V1.
 */
class RayServeLlmDashboardIT {
  private static final String MODEL = "tiny-shakespeare";

  /** The series Ray's panels read, each with the panel title it appears in. */
  static final Map<String, String> SERIES =
      Map.ofEntries(
          Map.entry("vllm:request_prompt_tokens_sum", "vLLM: Token Throughput"),
          Map.entry("vllm:generation_tokens_total", "vLLM: Token Throughput"),
          Map.entry("vllm:time_per_output_token_seconds_bucket", "vLLM: Time Per Output Token"),
          Map.entry("vllm:time_per_output_token_seconds_sum", "vLLM: Time Per Output Token"),
          Map.entry("vllm:time_per_output_token_seconds_count", "vLLM: Time Per Output Token"),
          Map.entry("vllm:gpu_cache_usage_perc", "vLLM: Cache Utilization"),
          Map.entry("vllm:time_to_first_token_seconds_bucket", "vLLM: Time To First Token"),
          Map.entry("vllm:time_to_first_token_seconds_sum", "vLLM: Time To First Token"),
          Map.entry("vllm:time_to_first_token_seconds_count", "vLLM: Time To First Token"),
          Map.entry("vllm:e2e_request_latency_seconds_bucket", "vLLM: E2E Request Latency"),
          Map.entry("vllm:e2e_request_latency_seconds_sum", "vLLM: E2E Request Latency"),
          Map.entry("vllm:e2e_request_latency_seconds_count", "vLLM: E2E Request Latency"),
          Map.entry("vllm:num_requests_running", "vLLM: Scheduler State"),
          Map.entry("vllm:num_requests_waiting", "vLLM: Scheduler State"),
          Map.entry("vllm:request_prompt_tokens_bucket", "vLLM: Request Prompt Length"),
          Map.entry("vllm:request_generation_tokens_bucket", "vLLM: Request Generation Length"),
          Map.entry("vllm:request_success_total", "vLLM: Finish Reason, stats, pie"),
          Map.entry("vllm:request_queue_time_seconds_sum", "vLLM: Queue Time"),
          Map.entry("vllm:request_decode_time_seconds_sum", "vLLM: Prefill and Decode Time"),
          Map.entry("vllm:request_prefill_time_seconds_sum", "vLLM: Prefill and Decode Time"),
          Map.entry("vllm:request_max_num_generation_tokens_sum", "vLLM: Max Generation Token"),
          Map.entry("vllm:gpu_prefix_cache_hits_total", "vLLM: Prefix Cache Hit Rate"),
          Map.entry("vllm:gpu_prefix_cache_queries_total", "vLLM: Prefix Cache Hit Rate"),
          Map.entry("vllm:prompt_tokens_total", "Tokens Last Hour/24 Hours/7 Days"));

  /** Series the workload must have moved (the rest may rightly stay 0, e.g. prefix hits). */
  static final List<String> MOVED_BY_TRAFFIC =
      List.of(
          "vllm:request_prompt_tokens_sum",
          "vllm:generation_tokens_total",
          "vllm:time_per_output_token_seconds_count",
          "vllm:time_to_first_token_seconds_count",
          "vllm:e2e_request_latency_seconds_count",
          "vllm:request_max_num_generation_tokens_sum",
          "vllm:gpu_prefix_cache_queries_total",
          "vllm:prompt_tokens_total");

  private static WorkerProcess worker;
  private static PrometheusProcess prometheus;

  @BeforeAll
  static void start() throws Exception {
    worker =
        WorkerProcess.builder()
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
            .start();
    prometheus =
        PrometheusProcess.builder()
            .scrapeInterval("1s")
            .scrape(PrometheusProcess.ScrapeJob.of("worker", worker.address(), Map.of()))
            .start();
    prometheus.awaitTargetsUp(Duration.ofSeconds(60));
    WorkerMetricsIT.workload(worker, 4);
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void everySeriesTheDashboardReadsReturnsData() {
    for (String series : SERIES.keySet()) {
      JsonNode result =
          prometheus.awaitResult(series + "{model_name=\"" + MODEL + "\"}", Duration.ofSeconds(30));
      assertThat(result).as(series + " (" + SERIES.get(series) + ")").isNotEmpty();
    }
    for (String series : MOVED_BY_TRAFFIC) {
      assertThat(prometheus.awaitResult("sum(" + series + ") > 0", Duration.ofSeconds(30)))
          .as(series)
          .hasSize(1);
    }
  }

  @Test
  void deprecatedAliasesEqualTheirSuccessors() throws InterruptedException {
    // An alias and its successor are read one after the other during a scrape: under load they may
    // straddle a step. Compare once the engine is idle and everything it held is freed, after one
    // more scrape.
    prometheus.awaitResult(
        "sum(vllm:num_requests_running) + sum(vllm:kv_cache_usage_perc) == 0",
        Duration.ofSeconds(30));
    Thread.sleep(2_000);
    Map<String, String> aliases =
        Map.of(
            MetricNames.VLLM_GPU_CACHE_USAGE,
            MetricNames.VLLM_KV_USAGE,
            MetricNames.VLLM_GPU_PREFIX_QUERIES,
            MetricNames.VLLM_PREFIX_QUERIES,
            MetricNames.VLLM_GPU_PREFIX_HITS,
            MetricNames.VLLM_PREFIX_HITS,
            MetricNames.VLLM_TIME_PER_OUTPUT_TOKEN + "_count",
            MetricNames.VLLM_ITL + "_count");
    aliases.forEach(
        (alias, successor) -> {
          JsonNode diff =
              prometheus.awaitResult(
                  "abs(" + alias + " - " + successor + ")", Duration.ofSeconds(30));
          assertThat(diff).as(alias).hasSize(1);
          assertThat(diff.get(0).at("/value/1").asDouble()).as(alias).isZero();
        });
  }
}
