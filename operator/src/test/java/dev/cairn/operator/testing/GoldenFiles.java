package dev.cairn.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares generated text with a golden file under src/test/resources/golden/. Run with {@code
 * -Dgolden.update=true} to rewrite the files after an intended change, then review the diff.
 */
public final class GoldenFiles {
  static final Path ROOT = Path.of("src", "test", "resources", "golden");

  private GoldenFiles() {}

  public static void assertMatches(String relativePath, String actual) {
    Path file = ROOT.resolve(relativePath);
    try {
      if (Boolean.getBoolean("golden.update")) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
      }
      assertThat(file)
          .as("golden file %s (regenerate with -Dgolden.update=true)", file.toAbsolutePath())
          .exists();
      assertThat(actual)
          .as("output differs from golden file %s (-Dgolden.update=true rewrites it)", file)
          .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("golden file " + file, e);
    }
  }
}
