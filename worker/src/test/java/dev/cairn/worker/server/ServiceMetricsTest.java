package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong clock = new AtomicLong();
  private final ServiceMetrics metrics =
      new ServiceMetrics(registry, "m", new WorkerState(), clock::get);

  @Test
  void recordsOnceWithStatusDurationAndTokens() {
    ServiceMetrics.Tracker t = metrics.begin(Endpoint.CHAT_COMPLETIONS);
    assertThat(metrics.ongoing()).isEqualTo(1);
    clock.addAndGet(1_500_000_000L);
    t.tokens(10, 4);
    t.finish(200);
    t.finish(499);
    assertThat(metrics.ongoing()).isZero();
    String text = registry.scrape();
    assertThat(text)
        .contains(
            "cairn_requests_total{endpoint=\"/v1/chat/completions\",model_name=\"m\",status=\"200\",} 1.0")
        .doesNotContain("status=\"499\"")
        .contains(
            "cairn_request_duration_seconds_bucket{endpoint=\"/v1/chat/completions\",model_name=\"m\",le=\"1.0\",} 0.0")
        .contains(
            "cairn_request_duration_seconds_bucket{endpoint=\"/v1/chat/completions\",model_name=\"m\",le=\"2.5\",} 1.0")
        .contains("cairn_prompt_tokens_total{model_name=\"m\",} 10.0")
        .contains("cairn_generation_tokens_total{model_name=\"m\",} 4.0");
  }

  @Test
  void modelListingIsNotAnOngoingRequest() {
    ServiceMetrics.Tracker t = metrics.begin(Endpoint.MODELS);
    assertThat(metrics.ongoing()).isZero();
    t.finish(200);
    assertThat(metrics.ongoing()).isZero();
  }
}
