package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A chat request's {@code tools} and {@code tool_choice}, checked for shape. {@link Choice#NONE}
 * hands the tools to the template and parses nothing; {@link Choice#AUTO} parses the model's own
 * tool-call syntax; {@link Choice#REQUIRED} constrains the output to one or more calls (one with
 * {@code parallel_tool_calls: false}) and {@link Choice#NAMED} to one call of that function (see
 * {@link dev.cairn.worker.structured.ToolCallGrammar}).
 *
 * @param functions the offered functions, name to parameters schema, in request order
 * @param template the tools as the chat template sees them (the request's objects as maps)
 * @param choice how the model may or must call them
 * @param named the function a {@link Choice#NAMED} choice forces, else null
 * @param parallel {@code parallel_tool_calls}: whether one answer may hold several calls (default
 *     true, as OpenAI's)
 */
record ToolSpec(
    Map<String, JsonNode> functions,
    List<Map<String, Object>> template,
    Choice choice,
    String named,
    boolean parallel) {

  /** What tool_choice asks. */
  enum Choice {
    NONE,
    AUTO,
    REQUIRED,
    NAMED
  }

  // OpenAI's rule for function names.
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The request's tools, or null when it offers none; 400 naming the field on a bad shape. */
  static ToolSpec parse(ObjectNode body) {
    JsonNode tools = body.get("tools");
    JsonNode choice = body.get("tool_choice");
    boolean noTools = tools == null || tools.isNull() || (tools.isArray() && tools.isEmpty());
    if (noTools) {
      if (choice != null && !choice.isNull() && !"none".equals(choice.asText(null))) {
        throw ApiException.badRequest(
            "tool_choice", "tool_choice is only allowed when tools are specified");
      }
      return null;
    }
    if (!tools.isArray()) {
      throw ApiException.badRequest("tools", "tools must be an array of function tools");
    }
    Map<String, JsonNode> functions = new LinkedHashMap<>();
    List<Map<String, Object>> template = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      String where = "tools[" + i + "]";
      JsonNode tool = tools.get(i);
      JsonNode function = function(tool, where);
      String name = function.get("name").textValue();
      if (functions.put(name, parameters(function, where)) != null) {
        throw ApiException.badRequest(where, "Duplicate function name '" + name + "' in tools");
      }
      template.add(asMap(tool));
    }
    return choice(choice, functions, List.copyOf(template), parallel(body));
  }

  private static boolean parallel(ObjectNode body) {
    JsonNode p = body.get("parallel_tool_calls");
    if (p == null || p.isNull()) {
      return true;
    }
    if (!p.isBoolean()) {
      throw ApiException.badRequest("parallel_tool_calls", "parallel_tool_calls must be a boolean");
    }
    return p.booleanValue();
  }

  private static JsonNode function(JsonNode tool, String where) {
    if (!tool.isObject() || !"function".equals(tool.path("type").asText(null))) {
      throw ApiException.badRequest(
          where + ".type", where + " must be {\"type\": \"function\", \"function\": {...}}");
    }
    JsonNode function = tool.get("function");
    if (function == null || !function.isObject()) {
      throw ApiException.badRequest(where + ".function", where + ".function must be an object");
    }
    JsonNode name = function.get("name");
    if (name == null || !name.isTextual() || !NAME.matcher(name.textValue()).matches()) {
      throw ApiException.badRequest(
          where + ".function.name",
          where + ".function.name must be 1 to 64 letters, digits, underscores or dashes");
    }
    JsonNode description = function.get("description");
    if (description != null && !description.isNull() && !description.isTextual()) {
      throw ApiException.badRequest(
          where + ".function.description", where + ".function.description must be a string");
    }
    JsonNode strict = function.get("strict");
    if (strict != null && !strict.isNull() && !strict.isBoolean()) {
      throw ApiException.badRequest(
          where + ".function.strict", where + ".function.strict must be a boolean");
    }
    return function;
  }

  /** As OpenAI: omitted parameters mean a function that takes an empty object. */
  private static JsonNode parameters(JsonNode function, String where) {
    JsonNode p = function.get("parameters");
    if (p == null || p.isNull()) {
      ObjectNode empty = JSON.createObjectNode().put("type", "object");
      empty.putObject("properties");
      empty.put("additionalProperties", false);
      return empty;
    }
    if (!p.isObject()) {
      throw ApiException.badRequest(
          where + ".function.parameters",
          where + ".function.parameters must be a JSON Schema object");
    }
    return p;
  }

  private static ToolSpec choice(
      JsonNode choice,
      Map<String, JsonNode> functions,
      List<Map<String, Object>> template,
      boolean parallel) {
    if (choice == null || choice.isNull()) {
      return new ToolSpec(functions, template, Choice.AUTO, null, parallel);
    }
    if (choice.isTextual()) {
      Choice c =
          switch (choice.textValue()) {
            case "none" -> Choice.NONE;
            case "auto" -> Choice.AUTO;
            case "required" -> Choice.REQUIRED;
            default ->
                throw ApiException.badRequest(
                    "tool_choice",
                    "tool_choice must be 'none', 'auto', 'required' or {\"type\": \"function\","
                        + " \"function\": {\"name\": ...}}, got '"
                        + choice.textValue()
                        + "'");
          };
      return new ToolSpec(functions, template, c, null, parallel);
    }
    JsonNode name = choice.path("function").path("name");
    if (!choice.isObject() || !"function".equals(choice.path("type").asText(null))) {
      throw ApiException.badRequest(
          "tool_choice",
          "tool_choice as an object must be {\"type\": \"function\", \"function\": {\"name\":"
              + " ...}}");
    }
    if (!name.isTextual()) {
      throw ApiException.badRequest(
          "tool_choice.function.name", "tool_choice.function.name must be a string");
    }
    if (!functions.containsKey(name.textValue())) {
      throw ApiException.badRequest(
          "tool_choice.function.name",
          "tool_choice names function '" + name.textValue() + "', which is not in tools");
    }
    return new ToolSpec(functions, template, Choice.NAMED, name.textValue(), parallel);
  }

  /** The functions a forced call may take: the named one, or all of them. */
  Map<String, JsonNode> forcedFunctions() {
    return choice == Choice.NAMED ? Map.of(named, functions.get(named)) : functions;
  }

  /** True when a forced answer may hold several calls: required, with parallel calls allowed. */
  boolean severalCalls() {
    return choice == Choice.REQUIRED && parallel;
  }

  /** True when the output is constrained to a call. */
  boolean forced() {
    return choice == Choice.REQUIRED || choice == Choice.NAMED;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(JsonNode node) {
    return JSON.convertValue(node, Map.class);
  }
}
