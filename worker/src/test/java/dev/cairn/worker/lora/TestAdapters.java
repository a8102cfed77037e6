package dev.cairn.worker.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's tiny-shakespeare LoRA adapters, and broken copies of them. */
final class TestAdapters {

  private TestAdapters() {}

  /** {@code models/tiny-shakespeare-lora/NAME}. */
  static Path dir(String name) {
    Path dir = TestModels.repoRoot().resolve("models/tiny-shakespeare-lora").resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("adapter missing at " + dir);
    }
    return dir;
  }

  /** The base model's config. */
  static ModelConfig base() {
    return ModelConfig.load(TestModels.tinyShakespeare());
  }

  /** A copy of adapter {@code name} in {@code target}, for breaking. */
  static Path copy(String name, Path target) throws IOException {
    Files.createDirectories(target);
    for (String f : new String[] {AdapterConfig.FILE, LoraWeights.FILE}) {
      Files.copy(dir(name).resolve(f), target.resolve(f));
    }
    return target;
  }

  /** Sets one field of the copy's adapter_config.json to a raw JSON value. */
  static void setConfigField(Path dir, String field, String json) throws IOException {
    Path file = dir.resolve(AdapterConfig.FILE);
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode config = (ObjectNode) mapper.readTree(Files.readString(file));
    config.set(field, mapper.readTree(json));
    Files.writeString(file, mapper.writeValueAsString(config));
  }
}
