package dev.cairn.worker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The parts of a Hugging Face {@code config.json} the forward pass needs.
 *
 * @param architecture e.g. "Qwen2ForCausalLM"
 * @param headDim elements per attention head (config's head_dim, else hidden / heads)
 * @param qkvBias whether q/k/v projections carry biases (Qwen2, or Llama's attention_bias)
 * @param ropeScaling null when absent
 * @param torchDtype stored dtype as declared ("float32", "bfloat16", ...), or null
 * @param slidingWindow attention window when the config enables one, else 0
 */
public record ModelConfig(
    String architecture,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int vocabSize,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    boolean qkvBias,
    String torchDtype,
    int slidingWindow) {

  /** Reads {@code dir/config.json}. */
  public static ModelConfig load(Path dir) {
    Path file = dir.resolve("config.json");
    try {
      return parse(new ObjectMapper().readTree(Files.readString(file)), file.toString());
    } catch (NoSuchFileException e) {
      throw new ModelLoadException("config.json not found: " + file, e);
    } catch (IOException e) {
      throw new ModelLoadException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a config; {@code source} names it in errors. */
  public static ModelConfig parse(JsonNode n, String source) {
    JsonNode archs = n.get("architectures");
    if (archs == null || !archs.isArray() || archs.isEmpty()) {
      throw new ModelLoadException(source + ": field 'architectures' is missing");
    }
    String arch = archs.get(0).asText();
    ModelFamily family = ModelFamily.forArchitecture(arch);
    int hidden = required(n, "hidden_size", source);
    int heads = required(n, "num_attention_heads", source);
    int kvHeads =
        n.has("num_key_value_heads") && !n.get("num_key_value_heads").isNull()
            ? n.get("num_key_value_heads").asInt()
            : heads;
    int headDim = n.hasNonNull("head_dim") ? n.get("head_dim").asInt() : hidden / heads;
    if (heads % kvHeads != 0) {
      throw new ModelLoadException(
          source
              + ": num_attention_heads "
              + heads
              + " is not a multiple of num_key_value_heads "
              + kvHeads);
    }
    if (headDim % 2 != 0) {
      throw new ModelLoadException(source + ": head_dim " + headDim + " must be even for RoPE");
    }
    boolean slidingOn = n.path("use_sliding_window").asBoolean(family.slidingWindowByDefault());
    int window = slidingOn && n.hasNonNull("sliding_window") ? n.get("sliding_window").asInt() : 0;
    return new ModelConfig(
        arch,
        hidden,
        required(n, "intermediate_size", source),
        required(n, "num_hidden_layers", source),
        heads,
        kvHeads,
        headDim,
        required(n, "vocab_size", source),
        n.path("rms_norm_eps").asDouble(1e-6),
        n.path("rope_theta").asDouble(10000.0),
        ropeScaling(n.get("rope_scaling"), source),
        n.path("max_position_embeddings").asInt(2048),
        n.path("tie_word_embeddings").asBoolean(false),
        family.qkvBias(n),
        n.hasNonNull("torch_dtype") ? n.get("torch_dtype").asText() : null,
        window);
  }

  private static int required(JsonNode n, String field, String source) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
      throw new ModelLoadException(
          source + ": field '" + field + "' is missing or not a positive integer");
    }
    return v.asInt();
  }

  private static RopeScaling ropeScaling(JsonNode s, String source) {
    if (s == null || s.isNull()) {
      return null;
    }
    String type = s.path("rope_type").asText(s.path("type").asText("")).toLowerCase(Locale.ROOT);
    double factor = s.path("factor").asDouble(1.0);
    return switch (type) {
      case "default" -> null;
      case "linear" -> new RopeScaling("linear", factor, 0, 0, 0);
      case "llama3" ->
          new RopeScaling(
              "llama3",
              factor,
              s.path("low_freq_factor").asDouble(1.0),
              s.path("high_freq_factor").asDouble(4.0),
              s.path("original_max_position_embeddings").asInt(8192));
      default ->
          throw new ModelLoadException(
              source
                  + ": rope_scaling type '"
                  + type
                  + "' is not supported (supported: linear, llama3)");
    };
  }

  /** Width of the key/value projections: kvHeads * headDim. */
  public int kvDim() {
    return numKvHeads * headDim;
  }

  /** Width of the query projection: heads * headDim. */
  public int qDim() {
    return numHeads * headDim;
  }

  /** Longest sequence served: the position limit, or the sliding window when it is shorter. */
  public int maxModelLen() {
    return slidingWindow > 0
        ? Math.min(slidingWindow, maxPositionEmbeddings)
        : maxPositionEmbeddings;
  }
}
