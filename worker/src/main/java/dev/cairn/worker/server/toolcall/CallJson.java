package dev.cairn.worker.server.toolcall;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Reading the JSON of calls written by a model in its own format. */
final class CallJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CallJson() {}

  /**
   * The events of one call object {@code {"name": ..., argumentsField: {...}}}, or null when {@code
   * node} is not one. Arguments given as a string holding JSON are accepted too (some models
   * double-encode them); they are re-serialized compactly either way.
   */
  static List<ToolCallEvent> call(
      JsonNode node, int index, Supplier<String> ids, String... argumentsFields) {
    if (node == null || !node.isObject() || !node.path("name").isTextual()) {
      return null;
    }
    JsonNode args = null;
    for (String field : argumentsFields) {
      args = args != null ? args : node.get(field);
    }
    if (args != null && args.isTextual()) {
      args = tree(args.textValue());
    }
    if (args == null || !args.isObject()) {
      return null;
    }
    return List.of(
        new ToolCallEvent.Start(index, ids.get(), node.get("name").textValue()),
        new ToolCallEvent.Arguments(index, args.toString()));
  }

  /** The text as one JSON document, or null. */
  static JsonNode tree(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /**
   * The JSON values in {@code text} one after another, separated by whitespace or semicolons (Llama
   * 3.1 writes parallel calls so), or null when anything else is there.
   */
  static List<JsonNode> sequence(String text) {
    List<JsonNode> out = new ArrayList<>();
    int at = skipSeparators(text, 0);
    while (at < text.length()) {
      try (JsonParser p = JSON.createParser(text.substring(at))) {
        if (p.nextToken() == null) {
          return null;
        }
        out.add(JSON.readTree(p));
        at += (int) p.currentLocation().getCharOffset();
      } catch (IOException e) {
        return null;
      }
      at = skipSeparators(text, at);
    }
    return out;
  }

  private static int skipSeparators(String text, int at) {
    while (at < text.length()
        && (Character.isWhitespace(text.charAt(at)) || text.charAt(at) == ';')) {
      at++;
    }
    return at;
  }
}
