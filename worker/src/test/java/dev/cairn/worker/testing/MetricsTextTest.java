package dev.cairn.worker.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exposition parser the worker ITs assert exact values with. */
class MetricsTextTest {
  private static final String TEXT =
      """
      # HELP vllm:request_success_total Count of successfully processed requests.
      # TYPE vllm:request_success_total counter
      vllm:request_success_total{engine="0",finished_reason="stop",model_name="m",} 2.0
      vllm:request_success_total{engine="0",finished_reason="length",model_name="m",} 5.0
      # TYPE cairn_ongoing_requests gauge
      cairn_ongoing_requests{model_name="a \\"quoted\\" name,}"} 1.0
      # TYPE process_uptime_seconds gauge
      process_uptime_seconds 12.5
      """;

  @Test
  void parsesFamiliesSamplesAndLabels() {
    MetricsText m = MetricsText.parse(TEXT);
    assertThat(m.families("vllm:")).containsExactly("vllm:request_success_total");
    assertThat(m.families("cairn_")).containsExactly("cairn_ongoing_requests");
    assertThat(m.value("vllm:request_success_total")).isEqualTo(7.0);
    assertThat(m.value("vllm:request_success_total", Map.of("finished_reason", "length")))
        .isEqualTo(5.0);
    assertThat(m.has("vllm:request_success_total", Map.of("finished_reason", "abort"))).isFalse();
    assertThat(m.samples("cairn_").get(0).labels())
        .containsExactly(Map.entry("model_name", "a \\\"quoted\\\" name,}"));
    assertThat(m.value("process_uptime_seconds")).isEqualTo(12.5);
  }

  @Test
  void rejectsALineThatIsNoSample() {
    assertThatThrownBy(() -> MetricsText.parse("not a sample line at all\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a sample line");
  }
}
