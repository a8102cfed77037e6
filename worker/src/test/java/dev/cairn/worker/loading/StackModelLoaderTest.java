package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.server.SamplingDefaults;
import dev.cairn.worker.source.LoadProgress;
import dev.cairn.worker.tokenizer.GenerationConfig;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StackModelLoaderTest {

  /** A model directory without generation_config.json (the generated bench model has none). */
  @Test
  void thePhaseGoesFromFetchingToLoadingToWarmingUp() {
    LoadProgress p = new LoadProgress();
    assertThat(StackModelLoader.phase(p, "hf://Qwen/Qwen2.5-0.5B"))
        .isEqualTo("fetching hf://Qwen/Qwen2.5-0.5B");
    p.markComplete();
    assertThat(StackModelLoader.phase(p, "hf://Qwen/Qwen2.5-0.5B")).isEqualTo("loading weights");
    p.markWarmingUp();
    assertThat(StackModelLoader.phase(p, "hf://Qwen/Qwen2.5-0.5B")).isEqualTo("warming up");
  }

  @Test
  void noGenerationConfigLeavesEveryDefaultToTheServer() {
    assertThat(StackModelLoader.defaults(GenerationConfig.defaults()))
        .isEqualTo(SamplingDefaults.none());
  }

  @Test
  void doSampleFalseMeansGreedy() {
    assertThat(StackModelLoader.defaults(config(OptionalDouble.of(0.7), Optional.of(false))))
        .returns(0.0, SamplingDefaults::temperature);
  }

  @Test
  void aDeclaredTemperatureIsTheDefault() {
    assertThat(StackModelLoader.defaults(config(OptionalDouble.of(0.7), Optional.empty())))
        .returns(0.7, SamplingDefaults::temperature);
    assertThat(StackModelLoader.defaults(config(OptionalDouble.empty(), Optional.of(true))))
        .returns(null, SamplingDefaults::temperature);
  }

  private static GenerationConfig config(OptionalDouble temperature, Optional<Boolean> doSample) {
    return new GenerationConfig(
        Set.of(),
        OptionalInt.empty(),
        temperature,
        OptionalDouble.empty(),
        OptionalInt.empty(),
        OptionalDouble.empty(),
        OptionalInt.empty(),
        doSample);
  }
}
