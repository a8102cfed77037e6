package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.MetricNames;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.worker.lora.AdapterLoadException;
import dev.cairn.worker.source.LoadProgress;
import dev.cairn.worker.source.ModelResolver;
import dev.cairn.worker.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Declared adapters load with the model: one broken adapter fails the whole load, by its field. */
class ModelStackLoraTest {
  private static final Path ADAPTERS =
      TestModels.repoRoot().resolve("models/tiny-shakespeare-lora");

  @TempDir Path dir;

  @Test
  void declaredAdaptersLoadWithTheModel() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ModelStack stack = load(spec(ADAPTERS.resolve("plain")), registry)) {
      assertThat(stack.adapters().names()).containsExactly("shouty", "plain");
    }
  }

  @Test
  void aBrokenDeclaredAdapterFailsTheLoadNamingItsField() throws Exception {
    // adapter_config.json without its weights: the second declared adapter cannot load.
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.copy(
        ADAPTERS.resolve("plain/adapter_config.json"), broken.resolve("adapter_config.json"));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    assertThatThrownBy(() -> load(spec(broken), registry))
        .isInstanceOf(AdapterLoadException.class)
        .hasMessageStartingWith("spec.lora.adapters[1] (broken): ")
        .hasMessageContaining("adapter_model.safetensors");
    // Nothing half-built is left serving: no engine, so no engine metrics either.
    assertThat(registry.find(MetricNames.VLLM_RUNNING).meters()).isEmpty();
    assertThat(registry.find(MetricNames.VLLM_LORA_REQUESTS_INFO).meters()).isEmpty();
  }

  private static ModelStack load(LLMDeploymentSpec spec, SimpleMeterRegistry registry) {
    return ModelStack.load(
        "tiny-shakespeare",
        spec,
        ModelResolver.fromEnvironment(),
        new CpuPlacement(),
        new LoadProgress(),
        registry);
  }

  /** The tiny model with shouty, then {@code second} as "broken" or "plain". */
  private static LLMDeploymentSpec spec(Path second) throws Exception {
    String name = second.getFileName().toString();
    String json =
        """
        {"model": {"id": "tiny-shakespeare", "source": "file:%s"},
         "accelerator": {"type": "cpu", "count": 0},
         "engine": {"kvCacheMemory": "16Mi"},
         "lora": {"maxLoraRank": 8, "adapters": [
           {"name": "shouty", "source": "file:%s"},
           {"name": "%s", "source": "file:%s"}]}}
        """
            .formatted(TestModels.tinyShakespeare(), ADAPTERS.resolve("shouty"), name, second);
    return new ObjectMapper().readValue(json, LLMDeploymentSpec.class);
  }
}
