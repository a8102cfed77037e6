package dev.cairn.worker.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Model defaults from {@code generation_config.json}, used when a request leaves a field out.
 *
 * @param eosTokenIds every id that ends generation (generation config plus the tokenizer's EOS)
 * @param bosTokenId BOS id, if declared
 * @param temperature default temperature
 * @param topP default nucleus mass
 * @param topK default top-k
 * @param repetitionPenalty default repetition penalty
 * @param maxNewTokens default number of new tokens
 * @param doSample false means the model's authors intended greedy decoding
 */
public record GenerationConfig(
    Set<Integer> eosTokenIds,
    OptionalInt bosTokenId,
    OptionalDouble temperature,
    OptionalDouble topP,
    OptionalInt topK,
    OptionalDouble repetitionPenalty,
    OptionalInt maxNewTokens,
    Optional<Boolean> doSample) {

  /** File name inside a model directory. */
  public static final String FILE = "generation_config.json";

  /** Copies the id set so callers cannot change it. */
  public GenerationConfig {
    eosTokenIds = Set.copyOf(new LinkedHashSet<>(eosTokenIds));
  }

  /** Nothing declared: every default comes from the server. */
  public static GenerationConfig defaults() {
    return new GenerationConfig(
        Set.of(),
        OptionalInt.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalInt.empty(),
        OptionalDouble.empty(),
        OptionalInt.empty(),
        Optional.empty());
  }

  /**
   * Loads the model directory's generation config (defaults when the file is missing) and adds the
   * id of {@code tokenizer_config.json}'s EOS token.
   */
  public static GenerationConfig load(
      Path modelDir, TokenizerConfig tokenizerConfig, Tokenizer tok) {
    Path file = modelDir.resolve(FILE);
    GenerationConfig config =
        ModelJson.readOptional(file).map(n -> parse(n, file.toString())).orElse(defaults());
    return config.withEosFrom(tokenizerConfig, tok);
  }

  /** Parses a {@code generation_config.json} object; {@code source} names it in errors. */
  public static GenerationConfig parse(JsonNode root, String source) {
    Set<Integer> eos = new LinkedHashSet<>();
    JsonNode eosNode = root.get("eos_token_id");
    if (eosNode != null && eosNode.isArray()) {
      for (JsonNode id : eosNode) {
        eos.add(intValue(id, source, "eos_token_id[]"));
      }
    } else if (eosNode != null && !eosNode.isNull()) {
      eos.add(intValue(eosNode, source, "eos_token_id"));
    }
    return new GenerationConfig(
        eos,
        optionalInt(root, "bos_token_id", source),
        optionalDouble(root, "temperature", source),
        optionalDouble(root, "top_p", source),
        optionalInt(root, "top_k", source),
        optionalDouble(root, "repetition_penalty", source),
        optionalInt(root, "max_new_tokens", source),
        root.path("do_sample").isBoolean()
            ? Optional.of(root.get("do_sample").asBoolean())
            : Optional.empty());
  }

  /** This config with the tokenizer config's EOS token id added to the EOS set. */
  public GenerationConfig withEosFrom(TokenizerConfig tokenizerConfig, Tokenizer tokenizer) {
    Set<Integer> eos = new LinkedHashSet<>(eosTokenIds);
    tokenizerConfig.eosToken().flatMap(t -> box(tokenizer.tokenId(t))).ifPresent(eos::add);
    return new GenerationConfig(
        eos, bosTokenId, temperature, topP, topK, repetitionPenalty, maxNewTokens, doSample);
  }

  private static Optional<Integer> box(OptionalInt id) {
    return id.isPresent() ? Optional.of(id.getAsInt()) : Optional.empty();
  }

  private static OptionalInt optionalInt(JsonNode root, String field, String source) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(intValue(node, source, field));
  }

  private static OptionalDouble optionalDouble(JsonNode root, String field, String source) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return OptionalDouble.empty();
    }
    if (!node.isNumber()) {
      throw new IllegalArgumentException(source + ": " + field + " must be a number");
    }
    return OptionalDouble.of(node.asDouble());
  }

  private static int intValue(JsonNode node, String source, String field) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new IllegalArgumentException(source + ": " + field + " must be an integer");
    }
    return node.asInt();
  }
}
