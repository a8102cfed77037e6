package dev.cairn.worker.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tool-use fields of chat messages: an assistant's {@code tool_calls} and a tool message's
 * {@code tool_call_id}, read into what chat templates expect.
 */
final class ToolMessages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ToolMessages() {}

  /**
   * An assistant's calls for the template, or null when it made none. As vLLM does, arguments (a
   * JSON string in OpenAI's API) become an object: Hugging Face templates write them with {@code
   * tojson}.
   */
  static List<Map<String, Object>> toolCalls(JsonNode m, String role, String where) {
    JsonNode calls = m.get("tool_calls");
    if (calls == null || calls.isNull()) {
      return null;
    }
    String field = where + ".tool_calls";
    if (!"assistant".equals(role)) {
      throw ApiException.badRequest(field, field + " is only allowed on assistant messages");
    }
    if (!calls.isArray()) {
      throw ApiException.badRequest(field, field + " must be an array");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      out.add(call(calls.get(i), field + "[" + i + "]"));
    }
    return List.copyOf(out);
  }

  private static Map<String, Object> call(JsonNode call, String where) {
    JsonNode function = call.path("function");
    if (!call.isObject()
        || !"function".equals(call.path("type").asText(null))
        || !function.path("name").isTextual()) {
      throw ApiException.badRequest(
          where,
          where
              + " must be {\"id\": ..., \"type\": \"function\", \"function\": {\"name\": ...,"
              + " \"arguments\": ...}}");
    }
    JsonNode args = function.get("arguments");
    if (args == null || !args.isTextual()) {
      throw ApiException.badRequest(
          where + ".function.arguments", where + ".function.arguments must be a JSON string");
    }
    JsonNode parsed = parse(args.textValue());
    if (parsed == null || !parsed.isObject()) {
      throw ApiException.badRequest(
          where + ".function.arguments",
          where + ".function.arguments must hold a JSON object, got " + args.textValue());
    }
    ObjectNode copy = ((ObjectNode) call).deepCopy();
    ((ObjectNode) copy.get("function")).set("arguments", parsed);
    return ToolSpec.asMap(copy);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** The call a tool message answers; required on tool messages, refused elsewhere. */
  static String toolCallId(JsonNode m, String role, String where) {
    JsonNode id = m.get("tool_call_id");
    String field = where + ".tool_call_id";
    boolean present = id != null && !id.isNull();
    if (!"tool".equals(role)) {
      if (present) {
        throw ApiException.badRequest(field, field + " is only allowed on tool messages");
      }
      return null;
    }
    if (!present || !id.isTextual()) {
      throw ApiException.badRequest(field, field + " is required on tool messages (a string)");
    }
    return id.textValue();
  }
}
