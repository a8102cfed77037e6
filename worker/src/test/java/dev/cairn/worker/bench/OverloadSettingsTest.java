package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.Quantization;
import dev.cairn.worker.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverloadSettingsTest {
  private static final String[] PATHS = {"out.json", "out.png", "models/m"};

  private static OverloadSettings parse(String... options) {
    String[] args = new String[PATHS.length + options.length];
    System.arraycopy(PATHS, 0, args, 0, PATHS.length);
    System.arraycopy(options, 0, args, PATHS.length, options.length);
    return OverloadSettings.parse(args);
  }

  @Test
  void defaultsAreTheIssuesRun() {
    OverloadSettings s = parse();

    assertThat(s.out()).isEqualTo(Path.of("out.json"));
    assertThat(s.modelDir()).isEqualTo(Path.of("models/m"));
    assertThat(s.seconds()).isEqualTo(120);
    assertThat(s.factor()).isEqualTo(10);
    assertThat(s.streams()).isEqualTo(16);
    assertThat(s.quantization()).isEqualTo("none");
  }

  @Test
  void theWorkerReadsTheConfigTheBenchWrites() throws Exception {
    OverloadSettings s = parse("--quantization=q4_0", "--max-num-seqs=8");
    String config = OverloadBench.workerConfig(Path.of("/m/served"), s);
    LLMDeploymentSpec spec = new ConfigLoader(Map.of()).parse(config, "bench").spec();
    assertThat(spec.getModel().getId()).isEqualTo(OverloadBench.MODEL_ID);
    assertThat(spec.getModel().getSource()).isEqualTo("file:/m/served");
    assertThat(spec.getEngine().getMaxNumSeqs()).isEqualTo(8);
    assertThat(spec.getEngine().getQuantization()).isEqualTo(Quantization.Q4_0);
    assertThat(spec.getLogEngineMetrics()).isTrue();
  }

  @Test
  void optionsOverrideTheDefaults() {
    OverloadSettings s = parse("--seconds=20", "--factor=2.5", "--quantization=q4_0");

    assertThat(s.seconds()).isEqualTo(20);
    assertThat(s.factor()).isEqualTo(2.5);
    assertThat(s.quantization()).isEqualTo("q4_0");
  }

  @Test
  void badOptionsAreRefusedByName() {
    assertThatThrownBy(() -> parse("--seconds=0"))
        .hasMessageContaining("--seconds=0")
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> parse("--streams=2.5")).hasMessageContaining("--streams");
    assertThatThrownBy(() -> parse("--factor=ten")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> parse("--quantization=q2")).hasMessageContaining("--quantization");
    assertThatThrownBy(() -> parse("--output-tokens=401")).hasMessageContaining("maxModelLen");
    assertThatThrownBy(() -> parse("--duration=20")).hasMessageContaining("--duration");
    assertThatThrownBy(() -> parse("seconds=20")).hasMessageContaining("--name=value");
    assertThatThrownBy(() -> OverloadSettings.parse(new String[] {"out.json"}))
        .hasMessageContaining("BENCH_MODEL_DIR");
  }
}
