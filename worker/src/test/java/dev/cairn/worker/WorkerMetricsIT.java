package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.MetricsText;
import dev.cairn.worker.testing.PrometheusProcess;
import dev.cairn.worker.testing.Promtool;
import dev.cairn.worker.testing.WorkerProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real tiny model in a packaged worker process (with deploy/samples/tiny-lora.yaml's adapters,
 * so that vllm:lora_requests_info is exported too): a known workload gives exact counter values,
 * the exported families are exactly design.md's list, promtool finds nothing but the two lints
 * vLLM's names cannot avoid, a real Prometheus scrapes it and answers the dashboard's queries, and
 * {@code logEngineMetrics: false} removes every engine series.
 */
class WorkerMetricsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "tiny-shakespeare";
  private static final String ADAPTER = "shouty";
  private static final Map<String, String> COMPLETIONS = Map.of("endpoint", "/v1/completions");

  /** The spec of deploy/samples/tiny-cpu.yaml as the operator passes it, engine metrics off. */
  static final String QUIET_SPEC =
      """
      {"model": {"id": "tiny-shakespeare", "source": "file:models/tiny-shakespeare"},
       "accelerator": {"type": "cpu", "count": 0}, "replicas": 1,
       "engine": {"maxNumSeqs": 16, "maxNumBatchedTokens": 512, "kvCacheMemory": "64Mi"},
       "logEngineMetrics": false}
      """;

  private static WorkerProcess worker;
  private static PrometheusProcess prometheus;

  @BeforeAll
  static void start() {
    worker =
        WorkerProcess.builder()
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-lora.yaml"))
            .start();
    prometheus =
        PrometheusProcess.builder()
            .scrapeInterval("1s")
            .scrape(PrometheusProcess.ScrapeJob.of("worker", worker.address(), Map.of()))
            .start();
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

  /** The usage of one finished completion. */
  record Usage(int prompt, int completion) {}

  @Test
  void knownWorkloadGivesExactCounterValues() throws Exception {
    MetricsText before = worker.scrape();
    List<Usage> usages = workload(worker, 5);
    int prompt = usages.stream().mapToInt(Usage::prompt).sum();
    int generated = usages.stream().mapToInt(Usage::completion).sum();
    awaitIdle(worker);
    MetricsText after = worker.scrape();

    assertThat(delta(before, after, MetricNames.VLLM_PROMPT_TOKENS)).isEqualTo(prompt);
    assertThat(delta(before, after, MetricNames.PROMPT_TOKENS_TOTAL)).isEqualTo(prompt);
    assertThat(delta(before, after, MetricNames.VLLM_GENERATION_TOKENS)).isEqualTo(generated);
    assertThat(delta(before, after, MetricNames.GENERATION_TOKENS_TOTAL)).isEqualTo(generated);
    for (String reason : MetricNames.FINISHED_REASONS) {
      Map<String, String> label = Map.of(MetricNames.LABEL_FINISHED_REASON, reason);
      assertThat(after.has(MetricNames.VLLM_REQUEST_SUCCESS, label)).as(reason).isTrue();
      assertThat(delta(before, after, MetricNames.VLLM_REQUEST_SUCCESS, label))
          .as(reason)
          .isEqualTo(reason.equals("length") ? 5 : 0);
    }
    assertThat(
            delta(
                before,
                after,
                MetricNames.REQUESTS_TOTAL,
                Map.of("endpoint", "/v1/completions", "status", "200", "model_name", MODEL)))
        .isEqualTo(5);
    assertThat(delta(before, after, MetricNames.REQUEST_DURATION + "_count", COMPLETIONS))
        .isEqualTo(5);
    for (String histogram :
        List.of(
            MetricNames.VLLM_E2E,
            MetricNames.VLLM_TTFT,
            MetricNames.VLLM_QUEUE,
            MetricNames.VLLM_PREFILL,
            MetricNames.VLLM_DECODE,
            MetricNames.VLLM_TPOT,
            MetricNames.VLLM_PROMPT_LEN,
            MetricNames.VLLM_GENERATION_LEN,
            MetricNames.VLLM_INFERENCE,
            MetricNames.VLLM_MAX_GENERATION_LEN,
            MetricNames.VLLM_PARAMS_N,
            MetricNames.VLLM_PARAMS_MAX_TOKENS)) {
      assertThat(delta(before, after, histogram + "_count")).as(histogram).isEqualTo(5);
      assertThat(after.value(histogram + "_bucket", Map.of("le", "+Inf")))
          .as(histogram)
          .isEqualTo(after.value(histogram + "_count"));
    }
    assertThat(delta(before, after, MetricNames.VLLM_PROMPT_LEN + "_sum")).isEqualTo(prompt);
    assertThat(delta(before, after, MetricNames.VLLM_GENERATION_LEN + "_sum")).isEqualTo(generated);
    // Every generated token but each request's last one is fed back through the model.
    assertThat(delta(before, after, MetricNames.VLLM_ITERATION_TOKENS + "_sum"))
        .isEqualTo(prompt + generated - 5);
    assertThat(delta(before, after, MetricNames.VLLM_ITL + "_count")).isEqualTo(generated - 5);
    assertThat(delta(before, after, MetricNames.VLLM_TIME_PER_OUTPUT_TOKEN + "_count"))
        .isEqualTo(generated - 5);
    // n = 1 and max_tokens = 3 + i, each run to its max_tokens.
    assertThat(delta(before, after, MetricNames.VLLM_PARAMS_N + "_sum")).isEqualTo(5);
    assertThat(delta(before, after, MetricNames.VLLM_PARAMS_MAX_TOKENS + "_sum"))
        .isEqualTo(generated);
    assertThat(delta(before, after, MetricNames.VLLM_MAX_GENERATION_LEN + "_sum"))
        .isEqualTo(generated);
    assertThat(after.value(MetricNames.MODEL_LOAD_PROGRESS, Map.of("model_name", MODEL)))
        .isEqualTo(1.0);
  }

  @Test
  void exportedFamiliesAreExactlyDesignsList() throws Exception {
    // cairn_requests_total is labelled by HTTP status, unknown before the first answer: it appears
    // with the first request (the dashboard's variables use cairn_ongoing_requests for that).
    workload(worker, 1);
    long before = System.currentTimeMillis();
    adapterCompletion(worker);
    long after = System.currentTimeMillis();
    MetricsText m = worker.scrape();
    assertThat(m.families("vllm:")).containsExactlyElementsOf(expectedVllmFamilies());
    assertThat(m.families("cairn_")).containsExactlyElementsOf(expectedCairnFamilies());
    assertThat(
            m.value(
                MetricNames.MODEL_INFO,
                Map.of(
                    "architecture", "Qwen2ForCausalLM",
                    "dtype", "float32",
                    "backend", "cpu",
                    "quantization", "none")))
        .isEqualTo(1.0);
    assertThat(m.value(MetricNames.MODEL_LOAD_PROGRESS, Map.of("model_name", MODEL)))
        .isEqualTo(1.0);
    for (MetricsText.Sample s : m.samples("vllm:")) {
      if (s.name().equals(MetricNames.VLLM_CACHE_CONFIG_INFO)) {
        continue; // vLLM's info gauge: engine and cache settings, no model (checked below)
      }
      if (s.name().equals(MetricNames.VLLM_LORA_REQUESTS_INFO)) {
        continue; // as in vLLM, labelled only by its adapter state (below)
      }
      assertThat(s.labels()).as(s.name()).containsEntry("model_name", MODEL);
      assertThat(s.labels()).as(s.name()).containsEntry("engine", "0");
    }
    // deploy/samples/tiny-lora.yaml: prefix caching on by default, vLLM's block size.
    assertThat(
            m.value(
                MetricNames.VLLM_CACHE_CONFIG_INFO,
                Map.of(
                    MetricNames.LABEL_ENGINE, "0",
                    MetricNames.LABEL_CACHE_BLOCK_SIZE, "16",
                    MetricNames.LABEL_CACHE_DTYPE, "float32",
                    MetricNames.LABEL_CACHE_PREFIX_CACHING, "True")))
        .isEqualTo(1.0);
    assertLoraRequestsInfo(m, before, after);
  }

  /**
   * vLLM's shape: one series per (max_lora, running, waiting) state, no other label, valued the
   * unix time (seconds) the engine last saw that state; a step ran the adapter during the request.
   */
  private static void assertLoraRequestsInfo(MetricsText m, long beforeMillis, long afterMillis) {
    List<MetricsText.Sample> info =
        m.samples(MetricNames.VLLM_LORA_REQUESTS_INFO).stream()
            .filter(s -> s.name().equals(MetricNames.VLLM_LORA_REQUESTS_INFO))
            .toList();
    assertThat(info).isNotEmpty();
    for (MetricsText.Sample s : info) {
      assertThat(s.labels().keySet())
          .containsExactlyInAnyOrder(
              MetricNames.LABEL_MAX_LORA,
              MetricNames.LABEL_RUNNING_LORA_ADAPTERS,
              MetricNames.LABEL_WAITING_LORA_ADAPTERS);
      // tiny-lora.yaml leaves maxLorasPerBatch at its default, 4.
      assertThat(s.labels()).containsEntry(MetricNames.LABEL_MAX_LORA, "4");
    }
    MetricsText.Sample running =
        info.stream()
            .filter(s -> s.labels().get(MetricNames.LABEL_RUNNING_LORA_ADAPTERS).equals(ADAPTER))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no series running " + ADAPTER + ": " + info));
    assertThat(running.labels()).containsEntry(MetricNames.LABEL_WAITING_LORA_ADAPTERS, "");
    assertThat(running.value()).isBetween(beforeMillis / 1000.0 - 1, afterMillis / 1000.0 + 1);
  }

  @Test
  void promtoolFindsOnlyTheLintsVllmNamesCannotAvoid() {
    String text = worker.scrape().text();
    Promtool.Result r = Promtool.checkMetrics(text);
    assertThat(r.exitCode()).as(r.output()).isIn(0, 3);
    assertThat(unexpectedLints(r.output())).isEmpty();
    // The filter is not hiding everything: the colon lint is really reported.
    assertThat(r.output()).contains("vllm:num_requests_running metric names should not contain");
    // A quote in a HELP text is written escaped by OpenMetrics writers, which promtool rejects.
    assertThat(text.lines().filter(l -> l.startsWith("# HELP ")))
        .isNotEmpty()
        .noneMatch(l -> l.contains("\""));
  }

  @Test
  void realPrometheusScrapesTheWorkerAndAnswersDashboardQueries() throws Exception {
    prometheus.awaitTargetsUp(Duration.ofSeconds(60));
    workload(worker, 3);
    JsonNode rate =
        prometheus.awaitResult(
            "rate(vllm:generation_tokens_total[1m]) > 0", Duration.ofSeconds(60));
    assertThat(rate.get(0).at("/metric/model_name").asText()).isEqualTo(MODEL);
    JsonNode p90 =
        prometheus.awaitResult(
            "histogram_quantile(0.9, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket[1m])))"
                + " > 0",
            Duration.ofSeconds(60));
    assertThat(p90.get(0).at("/value/1").asDouble()).isPositive();
    assertThat(
            prometheus.awaitResult(
                "sum(rate(cairn_generation_tokens_total[1m])) > 0", Duration.ofSeconds(60)))
        .hasSize(1);
    assertThat(
            prometheus
                .queryResult("cairn_model_load_progress_ratio")
                .get(0)
                .at("/value/1")
                .asDouble())
        .isEqualTo(1.0);
  }

  @Test
  void withoutEngineMetricsNoVllmSeriesAndServiceMetricsUnchanged() throws Exception {
    try (WorkerProcess quiet =
        WorkerProcess.builder().host("127.0.0.2").configJson(QUIET_SPEC).start()) {
      List<Usage> usages = workload(quiet, 2);
      awaitIdle(quiet);
      MetricsText m = quiet.scrape();
      assertThat(m.text()).doesNotContain("vllm:");
      assertThat(m.families("cairn_")).containsExactlyElementsOf(expectedCairnFamilies());
      assertThat(m.value(MetricNames.PROMPT_TOKENS_TOTAL))
          .isEqualTo(usages.stream().mapToInt(Usage::prompt).sum());
      assertThat(m.value(MetricNames.GENERATION_TOKENS_TOTAL))
          .isEqualTo(usages.stream().mapToInt(Usage::completion).sum());
      assertThat(m.value(MetricNames.REQUESTS_TOTAL, Map.of("status", "200"))).isEqualTo(2);
      assertThat(m.value(MetricNames.MODEL_LOAD_PROGRESS)).isEqualTo(1.0);
      Promtool.Result r = Promtool.checkMetrics(m.text());
      assertThat(r.exitCode()).as(r.output()).isZero();
    }
  }

  /** Lines of promtool's output other than the two lints stack.md trap 7 names for vLLM names. */
  static List<String> unexpectedLints(String output) {
    List<String> out = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      boolean colon =
          line.startsWith("vllm:") && line.endsWith("metric names should not contain ':'");
      boolean total =
          line.equals(
              MetricNames.VLLM_ITERATION_TOKENS
                  + " non-counter metrics should not have \"_total\" suffix");
      if (!colon && !total) {
        out.add(line);
      }
    }
    return out;
  }

  /**
   * design.md's engine metrics, as {@code # TYPE} names. Micrometer adds a {@code _max} gauge to
   * every Timer and DistributionSummary (no switch turns it off); vLLM has none, and no vLLM query
   * can collide with them, so they are listed rather than hidden.
   */
  static Set<String> expectedVllmFamilies() {
    Set<String> names =
        new TreeSet<>(
            List.of(
                MetricNames.VLLM_RUNNING,
                MetricNames.VLLM_WAITING,
                MetricNames.VLLM_KV_USAGE,
                MetricNames.VLLM_PROMPT_TOKENS,
                MetricNames.VLLM_GENERATION_TOKENS,
                MetricNames.VLLM_REQUEST_SUCCESS,
                MetricNames.VLLM_PREEMPTIONS,
                MetricNames.VLLM_PREFIX_QUERIES,
                MetricNames.VLLM_PREFIX_HITS,
                MetricNames.VLLM_CACHE_CONFIG_INFO,
                MetricNames.VLLM_GPU_CACHE_USAGE,
                MetricNames.VLLM_GPU_PREFIX_QUERIES,
                MetricNames.VLLM_GPU_PREFIX_HITS,
                MetricNames.VLLM_LORA_REQUESTS_INFO));
    for (String histogram :
        List.of(
            MetricNames.VLLM_TTFT,
            MetricNames.VLLM_ITL,
            MetricNames.VLLM_TPOT,
            MetricNames.VLLM_E2E,
            MetricNames.VLLM_QUEUE,
            MetricNames.VLLM_PREFILL,
            MetricNames.VLLM_DECODE,
            MetricNames.VLLM_PROMPT_LEN,
            MetricNames.VLLM_GENERATION_LEN,
            MetricNames.VLLM_ITERATION_TOKENS,
            MetricNames.VLLM_MAX_GENERATION_LEN,
            MetricNames.VLLM_PARAMS_N,
            MetricNames.VLLM_PARAMS_MAX_TOKENS,
            MetricNames.VLLM_INFERENCE,
            MetricNames.VLLM_TIME_PER_OUTPUT_TOKEN)) {
      names.add(histogram);
      names.add(histogram + "_max");
    }
    return names;
  }

  /** design.md's service-level metrics (plus the Timer's {@code _max}, as above). */
  static Set<String> expectedCairnFamilies() {
    return new TreeSet<>(
        List.of(
            MetricNames.REQUESTS_TOTAL,
            MetricNames.REQUESTS_REJECTED_TOTAL,
            MetricNames.REQUEST_DURATION,
            MetricNames.REQUEST_DURATION + "_max",
            MetricNames.PROMPT_TOKENS_TOTAL,
            MetricNames.GENERATION_TOKENS_TOTAL,
            MetricNames.ONGOING_REQUESTS,
            MetricNames.MODEL_LOAD_PROGRESS,
            MetricNames.STRUCTURED_OUTPUT_REQUESTS,
            MetricNames.STRUCTURED_OUTPUT_COMPILE,
            MetricNames.STRUCTURED_OUTPUT_COMPILE + "_max",
            MetricNames.STRUCTURED_OUTPUT_MASK,
            MetricNames.STRUCTURED_OUTPUT_MASK + "_max",
            MetricNames.MODEL_INFO));
  }

  /**
   * {@code count} completions of distinct short prompts (below one KV block, so the prefix cache
   * cannot change the token counts), each running to its max_tokens ({@code ignore_eos}).
   */
  static List<Usage> workload(WorkerProcess w, int count) throws Exception {
    List<Usage> usages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String body =
          JSON.writeValueAsString(
              Map.of(
                  "model",
                  MODEL,
                  "prompt",
                  "ROMEO " + i + ":",
                  "max_tokens",
                  3 + i,
                  "temperature",
                  0,
                  "ignore_eos",
                  true));
      HttpResponse<String> r = w.post("/v1/completions", body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode json = JSON.readTree(r.body());
      assertThat(json.at("/choices/0/finish_reason").asText()).isEqualTo("length");
      Usage u =
          new Usage(
              json.at("/usage/prompt_tokens").asInt(), json.at("/usage/completion_tokens").asInt());
      assertThat(u.completion()).isEqualTo(3 + i);
      usages.add(u);
    }
    return usages;
  }

  /** One completion from the adapter, long enough that several engine steps run it. */
  static void adapterCompletion(WorkerProcess w) throws Exception {
    String body =
        JSON.writeValueAsString(
            Map.of(
                "model",
                ADAPTER,
                "prompt",
                "ROMEO:",
                "max_tokens",
                4,
                "temperature",
                0,
                "ignore_eos",
                true));
    HttpResponse<String> r = w.post("/v1/completions", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).at("/model").asText()).isEqualTo(ADAPTER);
  }

  /** Waits until the engine gauges show nothing running, waiting or holding KV blocks. */
  static void awaitIdle(WorkerProcess w) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              MetricsText m = w.scrape();
              assertThat(m.value(MetricNames.ONGOING_REQUESTS)).isZero();
              assertThat(m.value(MetricNames.VLLM_RUNNING)).isZero();
              assertThat(m.value(MetricNames.VLLM_WAITING)).isZero();
              assertThat(m.value(MetricNames.VLLM_KV_USAGE)).isZero();
            });
  }

  private static double delta(MetricsText before, MetricsText after, String name) {
    return delta(before, after, name, Map.of());
  }

  private static double delta(
      MetricsText before, MetricsText after, String name, Map<String, String> labels) {
    assertThat(after.has(name, labels)).as(name + labels + " exported").isTrue();
    return after.value(name, labels) - before.value(name, labels);
  }
}
