package dev.cairn.operator.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the external tools tests run (Prometheus, promtool) and says how to get them. */
public final class Executables {
  private Executables() {}

  /**
   * The executable from env {@code envOverride} or the PATH. Absent means the test fails: CI
   * installs Debian's prometheus package, so a missing tool is a broken environment, not a skip.
   */
  public static Path require(String name, String envOverride) {
    return find(name, envOverride)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    name
                        + " not found on PATH (nor in env "
                        + envOverride
                        + "): install Debian's prometheus package (apt-get update && apt-get"
                        + " install -y prometheus), which brings prometheus and promtool 2.42"));
  }

  static Optional<Path> find(String name, String envOverride) {
    String override = System.getenv(envOverride);
    if (override != null && !override.isBlank()) {
      Path p = Path.of(override);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
