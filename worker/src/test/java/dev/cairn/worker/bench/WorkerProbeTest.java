package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerProbeTest {
  private static final String TEXT =
      """
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1000.0
      jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2500.0
      jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 7.0
      cairn_requests_rejected_total{model_name="m",reason="queue_full"} 12.0
      cairn_requests_rejected_total{model_name="m",reason="not_ready"} 3.0
      vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25
      vllm:num_requests_waiting{engine="0",model_name="m"} NaN
      """;

  @Test
  void sumsTheHeapPoolsAndDropsOtherLabels() {
    Map<String, Double> m = WorkerProbe.parse(TEXT);

    assertThat(m).containsEntry(WorkerProbe.HEAP, 3500.0);
    assertThat(m).containsEntry("jvm_memory_used_bytes", 7.0);
    assertThat(m).containsEntry("cairn_requests_rejected_total", 15.0);
    assertThat(m).containsEntry("vllm:kv_cache_usage_perc", 0.25);
    assertThat(m).doesNotContainKey("vllm:num_requests_waiting");
  }

  @Test
  void aKeptLabelSeparatesItsSeries() {
    Map<String, Double> m = WorkerProbe.parse(TEXT, "reason=\"queue_full\"");

    assertThat(m).containsEntry("cairn_requests_rejected_total{reason=\"queue_full\"}", 12.0);
    assertThat(m).containsEntry("cairn_requests_rejected_total", 3.0);
  }
}
