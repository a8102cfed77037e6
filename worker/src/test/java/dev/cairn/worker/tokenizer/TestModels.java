package dev.cairn.worker.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's copy of the tiny test model. */
public final class TestModels {

  private TestModels() {}

  /** The repository root: system property {@code cairn.repo.root}, else found walking up. */
  public static Path repoRoot() {
    String property = System.getProperty("cairn.repo.root");
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("models/tiny-shakespeare"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find models/tiny-shakespeare above the working dir");
  }

  /** {@code models/tiny-shakespeare/} (F32 weights, ChatML template). */
  public static Path tinyShakespeare() {
    Path dir = repoRoot().resolve("models/tiny-shakespeare");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("tiny model missing at " + dir);
    }
    return dir;
  }
}
