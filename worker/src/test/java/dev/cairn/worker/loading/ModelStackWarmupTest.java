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

/**
 * spec.engine.warmup: on unless set false, the load reports the phase while it runs, and it runs
 * the declared LoRA adapters (whose device copies then stay) or a stand-in that it frees.
 */
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
    try (ModelStack stack = load(spec, progress)) {
      assertThat(progress.isWarmingUp()).isEqualTo(warms);
      assertThat(stack.engine()).isNotNull();
    }
  }

  @ParameterizedTest(name = "warmup {0}, lora {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "true|{\"adapters\": [{\"name\": \"shouty\", \"source\": \"file:ADAPTERS/shouty\"},"
            + " {\"name\": \"plain\", \"source\": \"file:ADAPTERS/plain\"}], \"maxLoraRank\": 8}|2",
        "false|{\"adapters\": [{\"name\": \"shouty\", \"source\": \"file:ADAPTERS/shouty\"},"
            + " {\"name\": \"plain\", \"source\": \"file:ADAPTERS/plain\"}], \"maxLoraRank\": 8}|0",
        "true|{\"dynamicLoadingPath\": \"file:ADAPTERS\", \"maxLoraRank\": 8}|0"
      })
  void declaredAdaptersStayOnTheDeviceAfterWarmupAndTheStandInGoes(
      boolean warmup, String lora, int onDevice) throws Exception {
    String adapters = TestModels.repoRoot().resolve("models/tiny-shakespeare-lora").toString();
    String json =
        """
        {"model": {"id": "tiny-shakespeare", "source": "file:%s"},
         "accelerator": {"type": "cpu", "count": 0},
         "engine": {"kvCacheMemory": "16Mi", "warmup": %s},
         "lora": %s}
        """
            .formatted(TestModels.tinyShakespeare(), warmup, lora.replace("ADAPTERS", adapters));
    LLMDeploymentSpec spec = new ObjectMapper().readValue(json, LLMDeploymentSpec.class);
    try (ModelStack stack = load(spec, new LoadProgress())) {
      assertThat(stack.executor().adaptersOnDevice()).isEqualTo(onDevice);
    }
  }

  private static ModelStack load(LLMDeploymentSpec spec, LoadProgress progress) {
    return ModelStack.load(
        "tiny-shakespeare",
        spec,
        ModelResolver.fromEnvironment(),
        new CpuPlacement(),
        progress,
        new SimpleMeterRegistry());
  }
}
