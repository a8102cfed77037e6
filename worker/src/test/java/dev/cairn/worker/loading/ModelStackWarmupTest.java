package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.worker.source.LoadProgress;
import dev.cairn.worker.source.ModelResolver;
import dev.cairn.worker.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** spec.engine.warmup: on unless set false, and the load reports the phase while it runs. */
class ModelStackWarmupTest {

  @ParameterizedTest(name = "engine {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"kvCacheMemory\": \"16Mi\"}|true",
        "{\"kvCacheMemory\": \"16Mi\", \"warmup\": true}|true",
        "{\"kvCacheMemory\": \"16Mi\", \"warmup\": false}|false"
      })
  void warmsUpUnlessTurnedOff(String engine, boolean warms) throws Exception {
    String json =
        """
        {"model": {"id": "tiny-shakespeare", "source": "file:%s"},
         "accelerator": {"type": "cpu", "count": 0},
         "engine": %s}
        """
            .formatted(TestModels.tinyShakespeare(), engine);
    LLMDeploymentSpec spec = new ObjectMapper().readValue(json, LLMDeploymentSpec.class);
    LoadProgress progress = new LoadProgress();
    try (ModelStack stack =
        ModelStack.load(
            "tiny-shakespeare",
            spec,
            ModelResolver.fromEnvironment(),
            new CpuPlacement(),
            progress,
            new SimpleMeterRegistry())) {
      assertThat(progress.isWarmingUp()).isEqualTo(warms);
      assertThat(stack.engine()).isNotNull();
    }
  }
}
