package dev.cairn.worker.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Token string → id lookups read from {@code tokenizer.json}, which DJL's API does not expose: the
 * model's vocabulary (a map for BPE/WordPiece/WordLevel, a list for Unigram) plus the added tokens.
 */
final class TokenizerVocabulary {

  private final Map<String, Integer> ids;
  private final int size;

  private TokenizerVocabulary(Map<String, Integer> ids, int size) {
    this.ids = ids;
    this.size = size;
  }

  /** Reads the vocabulary of a parsed {@code tokenizer.json}. */
  static TokenizerVocabulary of(JsonNode root, String fileName) {
    Map<String, Integer> ids = new HashMap<>();
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        ids.put(e.getKey(), e.getValue().asInt());
      }
    } else if (vocab.isArray()) {
      // Unigram: [[piece, score], ...], the id is the position.
      for (int i = 0; i < vocab.size(); i++) {
        ids.put(vocab.get(i).path(0).asText(), i);
      }
    } else {
      throw new IllegalArgumentException(fileName + ": model.vocab is missing or not a map/list");
    }
    for (JsonNode added : root.path("added_tokens")) {
      if (added.hasNonNull("content") && added.hasNonNull("id")) {
        ids.put(added.get("content").asText(), added.get("id").asInt());
      }
    }
    int max = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
    return new TokenizerVocabulary(Map.copyOf(ids), max + 1);
  }

  /** One more than the highest id, so every id the tokenizer produces is below it. */
  int size() {
    return size;
  }

  OptionalInt id(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }
}
