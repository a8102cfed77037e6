package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The build generates the CRD from the api module into operator/target/crds (package phase); the
 * committed crds/ must be identical. Fix a failure with {@code make crds} and commit the result.
 */
class CrdDriftIT {
  private static final String FILE = "llmdeployments.llm.cairn.dev-v1.yml";

  @Test
  void committedCrdMatchesTheGeneratedOne() throws IOException {
    Path root = Path.of(System.getProperty("cairn.repo.root", ".."));
    Path generated = root.resolve("operator/target/crds").resolve(FILE);
    Path committed = root.resolve("crds").resolve(FILE);
    assertThat(generated).as("the build should have generated %s", generated).exists();
    assertThat(committed).as("crds/%s is missing: run make crds", FILE).exists();
    assertThat(Files.readString(committed))
        .as("crds/%s drifted from the api module: run make crds and commit", FILE)
        .isEqualTo(Files.readString(generated));
  }
}
