package dev.cairn.worker.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** vllm:lora_requests_info: one series per running/waiting combination, valued its last time. */
class LoraRequestsInfoTest {

  @Test
  void eachStateIsASeriesWhoseValueIsTheTimeItWasLastSeen() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong clock = new AtomicLong(5_000);
    LoraRequestsInfo info = new LoraRequestsInfo(EngineMetrics.NOOP, registry, 2, clock::get);

    info.onLoraStep(List.of("shouty", "plain"), List.of("other"));
    clock.set(9_000);
    info.onLoraStep(List.of("shouty"), List.of());

    assertThat(value(registry, "shouty,plain", "other")).isEqualTo(5.0);
    assertThat(value(registry, "shouty", "")).isEqualTo(9.0);
  }

  private static double value(SimpleMeterRegistry r, String running, String waiting) {
    return r.get(MetricNames.VLLM_LORA_REQUESTS_INFO)
        .tag(MetricNames.LABEL_MAX_LORA, "2")
        .tag(MetricNames.LABEL_RUNNING_LORA_ADAPTERS, running)
        .tag(MetricNames.LABEL_WAITING_LORA_ADAPTERS, waiting)
        .gauge()
        .value();
  }
}
