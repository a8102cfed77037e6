package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.Quantization;
import dev.cairn.worker.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cold-start bench's worker config as the worker reads it, and its summary of the timings. */
class ColdStartBenchTest {

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void theWorkerReadsTheWarmupSwitchAndTheAdapter(boolean warmup) throws Exception {
    String yaml =
        ColdStartBench.workerConfig(Path.of("/m/served"), Path.of("/m/adapter"), "q8_0", warmup);
    LLMDeploymentSpec spec = new ConfigLoader(Map.of()).parse(yaml, "bench").spec();
    assertThat(spec.getEngine().getWarmup()).isEqualTo(warmup);
    assertThat(spec.getEngine().getQuantization()).isEqualTo(Quantization.Q8_0);
    assertThat(spec.getModel().getSource()).isEqualTo("file:/m/served");
    assertThat(spec.getLora().declared()).hasSize(1);
    assertThat(spec.getLora().declared().getFirst().getSource()).isEqualTo("file:/m/adapter");
  }

  @Test
  void firstRequestsAreReportedOverTheMedianLaterOne() {
    ObjectNode node = new ObjectMapper().createObjectNode();
    ColdStartBench.write(
        node,
        List.of(
            new ColdStartBench.Start(20, 1.0, 0.6, new double[] {0.4, 0.5, 0.6, 0.5, 0.5, 0.5}),
            new ColdStartBench.Start(22, 2.0, 1.0, new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5})));
    assertThat(node.get("starts").get(0).get("first_base_over_later").asDouble()).isEqualTo(2.0);
    assertThat(node.get("starts").get(1).get("first_lora_over_later").asDouble()).isEqualTo(2.0);
    assertThat(node.get("ready_s_median").asDouble()).isEqualTo(21.0);
    assertThat(node.get("first_base_over_later_median").asDouble()).isEqualTo(3.0);
    assertThat(node.get("first_lora_over_later_median").asDouble()).isEqualTo(1.6);
  }
}
