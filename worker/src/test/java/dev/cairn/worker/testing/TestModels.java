package dev.cairn.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's tiny model and its reference outputs, and reads the latter. */
public final class TestModels {

  private TestModels() {}

  /**
   * The repository root: property {@value WorkerProcess#REPO_ROOT_PROPERTY}, else the nearest
   * parent with models/.
   */
  public static Path repoRoot() {
    String prop = System.getProperty(WorkerProcess.REPO_ROOT_PROPERTY);
    if (prop != null && Files.isDirectory(Path.of(prop, "models"))) {
      return Path.of(prop).toAbsolutePath();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("models/tiny-shakespeare"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root (models/tiny-shakespeare)");
  }

  /** models/tiny-shakespeare (F32 weights, ChatML template). */
  public static Path tinyShakespeare() {
    return repoRoot().resolve("models/tiny-shakespeare");
  }

  /** models/tiny-shakespeare/model-bf16. */
  public static Path tinyBf16() {
    return tinyShakespeare().resolve("model-bf16");
  }

  /** Parsed reference.json. */
  public static JsonNode reference() {
    try {
      return new ObjectMapper().readTree(tinyShakespeare().resolve("reference.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int[] ints(JsonNode arr) {
    int[] out = new int[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asInt();
    }
    return out;
  }

  public static float[] floats(JsonNode arr) {
    float[] out = new float[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) arr.get(i).asDouble();
    }
    return out;
  }

  /** Block table {@code [first, first + n)}. */
  public static int[] blocks(int first, int n) {
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      b[i] = first + i;
    }
    return b;
  }

  public static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
