package dev.cairn.worker.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Which files of a hub repository the worker needs (not other formats, images or docs). */
final class FileSelection {

  static final Set<String> SIDE_FILES =
      Set.of(
          "config.json",
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "chat_template.jinja");

  private FileSelection() {}

  /**
   * The side files, plus the weights: with an index only the index (its shards are added once it is
   * read), else {@code model.safetensors}, else every top-level {@code *.safetensors}.
   */
  static List<String> select(List<String> repoFiles) {
    List<String> selected = new ArrayList<>();
    for (String f : repoFiles) {
      if (SIDE_FILES.contains(f)) {
        selected.add(f);
      }
    }
    if (repoFiles.contains(ModelDirectory.WEIGHTS_INDEX)) {
      selected.add(ModelDirectory.WEIGHTS_INDEX);
    } else if (repoFiles.contains(ModelDirectory.WEIGHTS)) {
      selected.add(ModelDirectory.WEIGHTS);
    } else {
      for (String f : repoFiles) {
        if (f.endsWith(".safetensors") && !f.contains("/")) {
          selected.add(f);
        }
      }
    }
    return selected;
  }
}
