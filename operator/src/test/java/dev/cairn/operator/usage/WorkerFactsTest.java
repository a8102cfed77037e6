package dev.cairn.operator.usage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkerFactsTest {
  private static final String METRICS =
      """
      # TYPE cairn_model_info gauge
      cairn_model_info{architecture="Qwen2ForCausalLM",backend="cuda",dtype="bfloat16",quantization="none"} 1.0
      # TYPE cairn_structured_output_requests_total counter
      cairn_structured_output_requests_total{model_name="secret-model",type="json_object"} 2.0
      cairn_structured_output_requests_total{model_name="secret-model",type="regex"} 1.0
      cairn_ongoing_requests{model_name="secret-model"} 0.0
      """;

  @Test
  void readsTheInfoLabelsAndSumsStructuredOutputRequests() {
    assertThat(WorkerFacts.parse(METRICS))
        .contains(new WorkerFacts("Qwen2ForCausalLM", "bfloat16", "cuda", "none", 3));
  }

  @Test
  void noInfoMetricMeansNothingRead() {
    assertThat(WorkerFacts.parse("cairn_ongoing_requests 0\n")).isEmpty();
    assertThat(WorkerFacts.parse("cairn_model_info{architecture=\"x\" 1\n")).isEmpty();
  }

  @Test
  void aWorkerThatCountedNothingSaysZero() {
    String idle =
        METRICS.replace("} 2.0", "} 0.0").replace("} 1.0\ncairn_ongoing", "} 0\ncairn_ongoing");
    assertThat(WorkerFacts.parse(idle).orElseThrow().structuredOutputRequests()).isZero();
  }
}
