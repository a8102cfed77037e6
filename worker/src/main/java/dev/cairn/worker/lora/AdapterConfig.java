package dev.cairn.worker.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * The parts of a PEFT {@code adapter_config.json} the LoRA path implements, validated. PEFT options
 * that change the math in ways Cairn does not implement (DoRA, biases, extra trained modules,
 * per-module ranks) are refused by name rather than ignored.
 *
 * @param rank r, the inner dimension of every A/B pair
 * @param alpha lora_alpha
 * @param rsLora use_rslora: scale alpha/√r instead of alpha/r
 * @param targets the projections target_modules names
 */
public record AdapterConfig(int rank, double alpha, boolean rsLora, Set<LoraTarget> targets) {

  /** The file name PEFT writes. */
  public static final String FILE = "adapter_config.json";

  /** Copies the targets. */
  public AdapterConfig {
    targets = Set.copyOf(targets);
  }

  /** The factor on B·A·x: alpha/r, or alpha/√r with rsLoRA. */
  public float scale() {
    return (float) (rsLora ? alpha / Math.sqrt(rank) : alpha / rank);
  }

  /**
   * Reads {@code dir/adapter_config.json}.
   *
   * @param maxRank spec.lora.maxLoraRank
   * @throws AdapterLoadException (INVALID) naming the file and field
   */
  public static AdapterConfig read(Path dir, int maxRank) {
    Path file = dir.resolve(FILE);
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw AdapterLoadException.invalid(file + " is missing: not a PEFT adapter directory");
    } catch (IOException e) {
      throw AdapterLoadException.invalid(file + " is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw AdapterLoadException.invalid(file + " must hold a JSON object");
    }
    return parse(root, file.toString(), maxRank);
  }

  /** Parses a config; {@code source} names it in errors. */
  public static AdapterConfig parse(JsonNode n, String source, int maxRank) {
    String peftType = n.path("peft_type").asText("LORA");
    if (!peftType.equals("LORA")) {
      throw field(source, "peft_type", "is " + peftType + "; only LORA adapters are served");
    }
    refuseUnsupported(n, source);
    JsonNode r = n.get("r");
    if (r == null || !r.canConvertToInt() || !r.isIntegralNumber() || r.asInt() < 1) {
      throw field(source, "r", "must be a positive integer, got " + r);
    }
    int rank = r.asInt();
    if (rank > maxRank) {
      throw field(
          source, "r", rank + " exceeds spec.lora.maxLoraRank " + maxRank + " of this deployment");
    }
    JsonNode a = n.get("lora_alpha");
    if (a == null || !a.isNumber() || !(a.asDouble() > 0)) {
      throw field(source, "lora_alpha", "must be a positive number, got " + a);
    }
    JsonNode rs = n.path("use_rslora");
    if (!rs.isMissingNode() && !rs.isNull() && !rs.isBoolean()) {
      throw field(source, "use_rslora", "must be true or false, got " + rs);
    }
    return new AdapterConfig(rank, a.asDouble(), rs.asBoolean(false), targets(n, source));
  }

  private static Set<LoraTarget> targets(JsonNode n, String source) {
    JsonNode t = n.get("target_modules");
    if (t != null && t.isTextual() && t.asText().equals("all-linear")) {
      return EnumSet.allOf(LoraTarget.class);
    }
    if (t == null || !t.isArray() || t.isEmpty()) {
      throw field(
          source,
          "target_modules",
          "must list modules among q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"
              + (t != null && t.isTextual() ? " (a regular expression is not supported)" : "")
              + ", got "
              + t);
    }
    Set<LoraTarget> out = EnumSet.noneOf(LoraTarget.class);
    for (JsonNode m : t) {
      out.add(
          LoraTarget.ofModuleName(m.asText())
              .orElseThrow(
                  () ->
                      field(
                          source,
                          "target_modules",
                          "names unknown module '"
                              + m.asText()
                              + "'; supported: q_proj, k_proj, v_proj, o_proj, gate_proj,"
                              + " up_proj, down_proj")));
    }
    return out;
  }

  /** PEFT options that would change the result if ignored. */
  private static void refuseUnsupported(JsonNode n, String source) {
    if (n.path("use_dora").asBoolean(false)) {
      throw field(source, "use_dora", "DoRA adapters are not supported");
    }
    if (n.path("fan_in_fan_out").asBoolean(false)) {
      throw field(source, "fan_in_fan_out", "is true (Conv1D layout); only Linear layers are");
    }
    String bias = n.path("bias").asText("none");
    if (!bias.equals("none")) {
      throw field(source, "bias", "is '" + bias + "'; only 'none' is supported");
    }
    if (n.path("lora_bias").asBoolean(false)) {
      throw field(source, "lora_bias", "LoRA biases are not supported");
    }
    for (String f :
        new String[] {
          "modules_to_save",
          "rank_pattern",
          "alpha_pattern",
          "layer_replication",
          "trainable_token_indices"
        }) {
      JsonNode v = n.path(f);
      if (!v.isMissingNode() && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
        throw field(source, f, "is set (" + v + "); not supported");
      }
    }
  }

  private static AdapterLoadException field(String source, String field, String why) {
    return AdapterLoadException.invalid(source + ": " + field + " " + why);
  }
}
