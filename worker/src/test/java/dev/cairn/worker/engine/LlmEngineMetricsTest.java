package dev.cairn.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.engine.metrics.CacheConfigInfo;
import dev.cairn.worker.engine.metrics.EngineMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The engine feeds the vLLM metrics; a fixed fake clock makes every duration exact. */
class LlmEngineMetricsTest {

  private static final long ARRIVAL = 1_000_000_000L;
  private static final long NOW = 1_500_000_000L; // every engine timestamp: 0.5 s after arrival

  private static double value(String scrape, String sample) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(sample) + "\\{[^}]*}\\s+(\\S+)$").matcher(scrape);
    assertThat(m.find()).as(sample).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static double success(String scrape, String reason) {
    Matcher m =
        Pattern.compile(
                "(?m)^vllm:request_success_total\\{[^}]*finished_reason=\""
                    + reason
                    + "\"[^}]*}\\s+(\\S+)$")
            .matcher(scrape);
    assertThat(m.find()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void recordsTokensLatenciesAndFinishReasons() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FakeModelExecutor executor = new FakeModelExecutor(FakeTokenizer.VOCAB, 4, 64, 128, 'a', 26);
    EngineConfig config = new EngineConfig(8, 64, 128, 64, 4, false, Set.of());
    EngineMetrics metrics =
        EngineMetrics.create(
            true, registry, "tiny", 128, new CacheConfigInfo(4, 64, false, "auto"));
    LlmEngine engine = new LlmEngine(config, executor, new FakeTokenizer(), metrics, () -> NOW);
    OutputCollector a = new OutputCollector();
    OutputCollector b = new OutputCollector();
    int[] prompt = {'A', 'B', 'C', 'D', 'E'};
    // However the two are batched, the step tokens add up to 2 x (5 prompt + 3 decode) = 16.
    // They are one prompt's n = 2 choices, the client having sent max_tokens 4.
    RequestGroup group = new RequestGroup(2, 4);
    engine.submit(
        new GenerationRequest("a", prompt, SamplingParams.greedy(4), ARRIVAL, null, group), a);
    engine.submit(
        new GenerationRequest("b", prompt, SamplingParams.greedy(4), ARRIVAL, null, group), b);
    a.await();
    b.await();
    engine.close();

    String scrape = registry.scrape();
    assertThat(value(scrape, "vllm:prompt_tokens_total")).isEqualTo(10);
    assertThat(value(scrape, "vllm:generation_tokens_total")).isEqualTo(8);
    assertThat(success(scrape, "length")).isEqualTo(2);
    assertThat(success(scrape, "stop")).isZero();
    assertThat(value(scrape, "vllm:time_to_first_token_seconds_count")).isEqualTo(2);
    assertThat(value(scrape, "vllm:time_to_first_token_seconds_sum")).isEqualTo(1.0);
    assertThat(value(scrape, "vllm:inter_token_latency_seconds_count")).isEqualTo(6);
    assertThat(value(scrape, "vllm:e2e_request_latency_seconds_sum")).isEqualTo(1.0);
    assertThat(value(scrape, "vllm:request_queue_time_seconds_sum")).isEqualTo(1.0);
    assertThat(value(scrape, "vllm:request_generation_tokens_sum")).isEqualTo(8);
    assertThat(value(scrape, "vllm:iteration_tokens_total_sum")).isEqualTo(16);
    assertThat(value(scrape, "vllm:num_requests_running")).isZero();
    assertThat(value(scrape, "vllm:kv_cache_usage_perc")).isZero();
    // Per prompt once (n = 2, at most 4 tokens); max_tokens per choice, as vLLM.
    assertThat(value(scrape, "vllm:request_params_n_count")).isEqualTo(1);
    assertThat(value(scrape, "vllm:request_params_n_sum")).isEqualTo(2);
    assertThat(value(scrape, "vllm:request_max_num_generation_tokens_count")).isEqualTo(1);
    assertThat(value(scrape, "vllm:request_max_num_generation_tokens_sum")).isEqualTo(4);
    assertThat(value(scrape, "vllm:request_params_max_tokens_count")).isEqualTo(2);
    assertThat(value(scrape, "vllm:request_params_max_tokens_sum")).isEqualTo(8);
    // Every timestamp is the same instant: scheduled, first and last token coincide.
    assertThat(value(scrape, "vllm:request_inference_time_seconds_count")).isEqualTo(2);
    assertThat(value(scrape, "vllm:request_inference_time_seconds_sum")).isZero();
    assertThat(value(scrape, "vllm:time_per_output_token_seconds_count")).isEqualTo(6);
  }
}
