package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmFlagsTest {
  @Test
  void theTestJvmHasWhatTheWorkerNeeds() {
    assertThat(JvmFlags.problem()).isEmpty();
  }

  @Test
  void aJvmWithoutTheVectorApiIsToldEveryMissingFlag() {
    assertThat(JvmFlags.problem(false, true).orElseThrow())
        .contains("start it with --add-modules jdk.incubator.vector, e.g.");
    assertThat(JvmFlags.problem(false, false).orElseThrow())
        .contains(
            "start it with --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED,");
  }

  @Test
  void nativeAccessAloneIsNoReasonToRefuse() {
    assertThat(JvmFlags.problem(true, false)).isEmpty();
  }
}
