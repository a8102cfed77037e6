package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void parsesConfigArgument() {
    assertThat(Main.configFile()).isEmpty();
    assertThat(Main.configFile("--config", "a.yaml")).contains(Path.of("a.yaml"));
    assertThat(Main.configFile("--config=b.yaml")).contains(Path.of("b.yaml"));
    assertThat(Main.configFile("--help")).isEmpty();
    assertThatThrownBy(() -> Main.configFile("--config")).hasMessage("unknown argument --config");
    assertThatThrownBy(() -> Main.configFile("serve")).hasMessage("unknown argument serve");
  }
}
