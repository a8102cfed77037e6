package dev.cairn.worker.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.model.ModelLoadException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's weights: {@code model.safetensors}, or the shards named by {@code
 * model.safetensors.index.json}. Every file stays mapped until {@link #close()}.
 */
public final class SafetensorsWeights implements AutoCloseable {

  /** Single-file checkpoint name. */
  public static final String SINGLE = "model.safetensors";

  /** Sharded checkpoint index name. */
  public static final String INDEX = "model.safetensors.index.json";

  private final Path dir;
  private final Arena arena;
  private final Map<String, SafetensorsFile> byTensor;

  private SafetensorsWeights(Path dir, Arena arena, Map<String, SafetensorsFile> byTensor) {
    this.dir = dir;
    this.arena = arena;
    this.byTensor = byTensor;
  }

  /** Opens the checkpoint in {@code dir}. */
  public static SafetensorsWeights open(Path dir) {
    Arena arena = Arena.ofShared();
    try {
      Map<String, SafetensorsFile> byTensor = new HashMap<>();
      if (Files.exists(dir.resolve(INDEX))) {
        readIndex(dir, arena, byTensor);
      } else if (Files.exists(dir.resolve(SINGLE))) {
        SafetensorsFile f = SafetensorsFile.open(dir.resolve(SINGLE), arena);
        f.tensors().keySet().forEach(n -> byTensor.put(n, f));
      } else {
        throw new ModelLoadException("no " + SINGLE + " or " + INDEX + " in " + dir);
      }
      return new SafetensorsWeights(dir, arena, byTensor);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static void readIndex(Path dir, Arena arena, Map<String, SafetensorsFile> byTensor) {
    JsonNode map;
    try {
      map = new ObjectMapper().readTree(dir.resolve(INDEX).toFile()).get("weight_map");
    } catch (IOException e) {
      throw new ModelLoadException("cannot parse " + dir.resolve(INDEX) + ": " + e.getMessage(), e);
    }
    if (map == null || !map.isObject()) {
      throw new ModelLoadException(dir.resolve(INDEX) + " has no weight_map object");
    }
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String shard = e.getValue().asText();
      SafetensorsFile f =
          shards.computeIfAbsent(shard, s -> SafetensorsFile.open(dir.resolve(s), arena));
      if (!f.tensors().containsKey(e.getKey())) {
        throw new ModelLoadException(
            INDEX
                + " places tensor '"
                + e.getKey()
                + "' in "
                + shard
                + ", which does not contain it");
      }
      byTensor.put(e.getKey(), f);
    }
  }

  /** Whether a tensor of this name exists. */
  public boolean has(String name) {
    return byTensor.containsKey(name);
  }

  /** Tensor {@code name}, which must exist and have exactly {@code expectedShape}. */
  public HostTensor tensor(String name, int... expectedShape) {
    SafetensorsFile f = byTensor.get(name);
    if (f == null) {
      throw new ModelLoadException("tensor '" + name + "' not found in the checkpoint in " + dir);
    }
    HostTensor t = f.tensor(name);
    if (!Arrays.equals(t.shape(), expectedShape)) {
      throw new ModelLoadException(
          "tensor '"
              + name
              + "' has shape "
              + t.shapeString()
              + ", expected "
              + Arrays.toString(expectedShape));
    }
    return t;
  }

  /** Unmaps every file; tensors handed out become invalid. */
  @Override
  public void close() {
    arena.close();
  }
}
