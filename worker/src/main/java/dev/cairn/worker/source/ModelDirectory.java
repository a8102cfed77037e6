package dev.cairn.worker.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A local Hugging Face model directory that has every file the worker needs.
 *
 * @param path the directory
 * @param weightFiles the safetensors files, in shard order
 */
public record ModelDirectory(Path path, List<Path> weightFiles) {

  /** Single-file weights. */
  public static final String WEIGHTS = "model.safetensors";

  /** Index of sharded weights: {@code weight_map} tensor name → shard file. */
  public static final String WEIGHTS_INDEX = "model.safetensors.index.json";

  /** Copies the list. */
  public ModelDirectory {
    weightFiles = List.copyOf(weightFiles);
  }

  /**
   * Checks a directory.
   *
   * @throws IllegalArgumentException listing every missing file
   */
  public static ModelDirectory check(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("model directory " + dir + " does not exist");
    }
    List<String> missing = new ArrayList<>();
    for (String required : List.of("config.json", "tokenizer.json")) {
      if (!Files.isRegularFile(dir.resolve(required))) {
        missing.add(required);
      }
    }
    List<Path> weights = new ArrayList<>();
    if (Files.isRegularFile(dir.resolve(WEIGHTS_INDEX))) {
      for (String shard : shardNames(dir.resolve(WEIGHTS_INDEX))) {
        Path file = dir.resolve(shard);
        if (Files.isRegularFile(file)) {
          weights.add(file);
        } else {
          missing.add(shard + " (listed in " + WEIGHTS_INDEX + ")");
        }
      }
    } else if (Files.isRegularFile(dir.resolve(WEIGHTS))) {
      weights.add(dir.resolve(WEIGHTS));
    } else {
      missing.add(WEIGHTS + " or " + WEIGHTS_INDEX);
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "model directory " + dir + " is incomplete, missing: " + String.join(", ", missing));
    }
    return new ModelDirectory(dir, weights);
  }

  /** The distinct shard file names an index refers to, sorted (shard order). */
  static TreeSet<String> shardNames(Path index) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(index.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(index + " is not valid JSON: " + e.getMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject() || map.isEmpty()) {
      throw new IllegalArgumentException(index + ": weight_map is missing or empty");
    }
    TreeSet<String> shards = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      String shard = it.next().getValue().asText();
      if (shard.isEmpty() || shard.contains("..") || shard.startsWith("/")) {
        throw new IllegalArgumentException(index + ": invalid shard file name '" + shard + "'");
      }
      shards.add(shard);
    }
    return shards;
  }
}
