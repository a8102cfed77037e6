package dev.cairn.worker.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads the small JSON side files of a model directory with errors that name the file. */
final class ModelJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ModelJson() {}

  /** The parsed file, or empty when it does not exist (these files are optional). */
  static Optional<JsonNode> readOptional(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode node = MAPPER.readTree(file.toFile());
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException(file + ": expected a JSON object");
      }
      return Optional.of(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** A token field that is either a string or an AddedToken object {@code {content: ...}}. */
  static Optional<String> tokenString(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Optional.empty();
    }
    if (node.isTextual()) {
      return Optional.of(node.asText());
    }
    if (node.isObject() && node.path("content").isTextual()) {
      return Optional.of(node.get("content").asText());
    }
    return Optional.empty();
  }
}
