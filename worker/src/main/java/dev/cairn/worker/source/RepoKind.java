package dev.cairn.worker.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a source holds, which decides the files fetched from a hub repository and their check. */
public enum RepoKind {
  /** A base model: config, tokenizer and safetensors weights. */
  MODEL,
  /** A PEFT LoRA adapter: adapter_config.json and adapter_model.safetensors. */
  LORA_ADAPTER;

  /** The PEFT adapter's files, both required. */
  static final List<String> ADAPTER_FILES =
      List.of("adapter_config.json", "adapter_model.safetensors");

  /** The files to fetch out of a repository's listing. */
  List<String> select(List<String> repoFiles) {
    if (this == MODEL) {
      return FileSelection.select(repoFiles);
    }
    return repoFiles.stream().filter(ADAPTER_FILES::contains).toList();
  }

  /**
   * Checks a local directory of this kind.
   *
   * @throws IllegalArgumentException listing what is missing
   */
  void check(Path dir) {
    if (this == MODEL) {
      ModelDirectory.check(dir);
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new MissingSourceException("adapter directory " + dir + " does not exist");
    }
    List<String> missing = new ArrayList<>();
    for (String f : ADAPTER_FILES) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        missing.add(f);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "adapter directory " + dir + " is incomplete, missing: " + String.join(", ", missing));
    }
  }
}
