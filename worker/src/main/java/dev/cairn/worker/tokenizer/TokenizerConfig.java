package dev.cairn.worker.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the worker uses from {@code tokenizer_config.json}: the chat template and the special
 * tokens.
 *
 * @param chatTemplate Jinja source; from {@code chat_template} (a string, or a list of {@code
 *     {name, template}} where "default" is used), else from a {@code chat_template.jinja} file
 * @param bosToken BOS token string, if any
 * @param eosToken EOS token string, if any
 * @param padToken padding token string, if any
 * @param addBosToken whether the tokenizer is meant to prepend BOS
 * @param modelMaxLength context length the tokenizer declares; empty when absent or a placeholder
 */
public record TokenizerConfig(
    Optional<String> chatTemplate,
    Optional<String> bosToken,
    Optional<String> eosToken,
    Optional<String> padToken,
    boolean addBosToken,
    OptionalInt modelMaxLength) {

  /** File name inside a model directory. */
  public static final String FILE = "tokenizer_config.json";

  /** Separate template file used by newer checkpoints. */
  public static final String TEMPLATE_FILE = "chat_template.jinja";

  /** A config with nothing set (no file). */
  public static TokenizerConfig empty() {
    return new TokenizerConfig(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        OptionalInt.empty());
  }

  /** Loads the config of a model directory; a missing file gives {@link #empty()}. */
  public static TokenizerConfig load(Path modelDir) {
    Path file = modelDir.resolve(FILE);
    TokenizerConfig config =
        ModelJson.readOptional(file).map(n -> parse(n, file.toString())).orElse(empty());
    Path templateFile = modelDir.resolve(TEMPLATE_FILE);
    if (config.chatTemplate().isEmpty() && Files.isRegularFile(templateFile)) {
      try {
        String template = Files.readString(templateFile, StandardCharsets.UTF_8);
        return config.withChatTemplate(template);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + templateFile, e);
      }
    }
    return config;
  }

  /**
   * Parses the JSON object of a {@code tokenizer_config.json}; {@code source} names it in errors.
   */
  public static TokenizerConfig parse(JsonNode root, String source) {
    return new TokenizerConfig(
        chatTemplate(root.get("chat_template"), source),
        ModelJson.tokenString(root.get("bos_token")),
        ModelJson.tokenString(root.get("eos_token")),
        ModelJson.tokenString(root.get("pad_token")),
        root.path("add_bos_token").asBoolean(false),
        maxLength(root.get("model_max_length")));
  }

  /** This config with another chat template (e.g. a deployment's override). */
  public TokenizerConfig withChatTemplate(String template) {
    return new TokenizerConfig(
        Optional.of(template), bosToken, eosToken, padToken, addBosToken, modelMaxLength);
  }

  private static Optional<String> chatTemplate(JsonNode node, String source) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (node.isTextual()) {
      return Optional.of(node.asText());
    }
    if (node.isArray()) {
      for (JsonNode entry : node) {
        if ("default".equals(entry.path("name").asText()) && entry.path("template").isTextual()) {
          return Optional.of(entry.get("template").asText());
        }
      }
      throw new IllegalArgumentException(
          source + ": chat_template is a list without an entry named \"default\"");
    }
    throw new IllegalArgumentException(
        source + ": chat_template must be a string or a list of {name, template}");
  }

  private static OptionalInt maxLength(JsonNode node) {
    // Tokenizers without a limit write a huge float (1e30) here: treat it as unknown.
    if (node == null || !node.isNumber()) {
      return OptionalInt.empty();
    }
    double value = node.asDouble();
    if (value < 1 || value > Integer.MAX_VALUE) {
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) value);
  }
}
