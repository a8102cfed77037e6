package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a request asks its output to be, read from OpenAI's {@code response_format} or vLLM's {@code
 * guided_json} / {@code guided_regex} / {@code guided_choice} / {@code structured_outputs}. Only
 * the request's shape is checked here; the schema or regex itself is compiled later, off the event
 * loop.
 *
 * @param kind what the output must be
 * @param param the request field it came from (named by a 400)
 * @param value the schema (json_schema), a text node (regex) or an array of strings (choice); null
 *     for json_object
 */
record StructuredSpec(Kind kind, String param, JsonNode value) {

  /** The kinds of structured output, labelled as the requests metric counts them. */
  enum Kind {
    JSON_OBJECT("json_object"),
    JSON_SCHEMA("json_schema"),
    REGEX("regex"),
    CHOICE("choice");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /** The request fields that ask for structured output. */
  static final Set<String> FIELDS =
      Set.of(
          "response_format", "guided_json", "guided_regex", "guided_choice", "structured_outputs");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The request's structured output, or null when it asks for free text; 400 on a bad shape. */
  static StructuredSpec parse(ObjectNode body) {
    List<StructuredSpec> found = new ArrayList<>();
    for (String field :
        List.of("response_format", "guided_json", "guided_regex", "guided_choice")) {
      JsonNode v = body.get(field);
      if (v != null && !v.isNull()) {
        StructuredSpec spec = of(field, field, v);
        if (spec != null) {
          found.add(spec);
        }
      }
    }
    JsonNode so = body.get("structured_outputs");
    if (so != null && !so.isNull()) {
      found.add(structuredOutputs(so));
    }
    if (found.size() > 1) {
      throw ApiException.badRequest(
          found.get(1).param(),
          "Only one kind of structured output may be requested; got "
              + found.get(0).param()
              + " and "
              + found.get(1).param());
    }
    return found.isEmpty() ? null : found.get(0);
  }

  /** One field's spec; {@code kindField} says how to read it, {@code param} names it in errors. */
  private static StructuredSpec of(String kindField, String param, JsonNode v) {
    return switch (kindField) {
      case "response_format" -> responseFormat(v);
      case "guided_json", "json" -> new StructuredSpec(Kind.JSON_SCHEMA, param, schema(param, v));
      case "guided_regex", "regex" -> {
        if (!v.isTextual()) {
          throw ApiException.badRequest(param, param + " must be a string (a regular expression)");
        }
        yield new StructuredSpec(Kind.REGEX, param, v);
      }
      case "guided_choice", "choice" -> {
        if (!v.isArray() || v.isEmpty()) {
          throw ApiException.badRequest(param, param + " must be a non-empty array of strings");
        }
        for (JsonNode c : v) {
          if (!c.isTextual()) {
            throw ApiException.badRequest(param, param + " must contain only strings, got " + c);
          }
        }
        yield new StructuredSpec(Kind.CHOICE, param, v);
      }
      default -> throw new IllegalArgumentException(kindField);
    };
  }

  private static StructuredSpec responseFormat(JsonNode v) {
    String p = "response_format";
    if (!v.isObject() || !v.path("type").isTextual()) {
      throw ApiException.badRequest(p, "response_format must be an object with a string 'type'");
    }
    String type = v.get("type").asText();
    return switch (type) {
      case "text" -> null;
      case "json_object" -> new StructuredSpec(Kind.JSON_OBJECT, p, null);
      case "json_schema" -> {
        JsonNode js = v.get("json_schema");
        if (js == null || !js.isObject()) {
          throw ApiException.badRequest(
              p, "response_format.json_schema must be an object with 'name' and 'schema'");
        }
        JsonNode name = js.get("name");
        if (name != null && !name.isNull() && !name.isTextual()) {
          throw ApiException.badRequest(p, "response_format.json_schema.name must be a string");
        }
        JsonNode strict = js.get("strict");
        if (strict != null && !strict.isNull() && !strict.isBoolean()) {
          throw ApiException.badRequest(p, "response_format.json_schema.strict must be a boolean");
        }
        JsonNode schema = js.get("schema");
        if (schema == null || schema.isNull()) {
          throw ApiException.badRequest(p, "response_format.json_schema.schema is required");
        }
        yield new StructuredSpec(Kind.JSON_SCHEMA, p, schema(p, schema));
      }
      default ->
          throw ApiException.badRequest(
              p,
              "response_format.type must be 'text', 'json_object' or 'json_schema', got '"
                  + type
                  + "'");
    };
  }

  /** vLLM's {@code structured_outputs}: exactly one of json, regex, choice or json_object. */
  private static StructuredSpec structuredOutputs(JsonNode v) {
    String p = "structured_outputs";
    if (!v.isObject()) {
      throw ApiException.badRequest(p, "structured_outputs must be an object");
    }
    List<StructuredSpec> found = new ArrayList<>();
    for (var it = v.fields(); it.hasNext(); ) {
      var e = it.next();
      if (e.getValue().isNull()) {
        continue;
      }
      switch (e.getKey()) {
        case "json", "regex", "choice" -> found.add(of(e.getKey(), p, e.getValue()));
        case "json_object" -> {
          if (e.getValue().asBoolean(false)) {
            found.add(new StructuredSpec(Kind.JSON_OBJECT, p, null));
          }
        }
        default ->
            throw ApiException.badRequest(
                p, "structured_outputs." + e.getKey() + " is not supported by this server");
      }
    }
    if (found.size() != 1) {
      throw ApiException.badRequest(
          p, "structured_outputs must set exactly one of json, regex, choice, json_object");
    }
    return found.get(0);
  }

  /** A schema given as an object, a boolean, or (vLLM) a JSON string holding one. */
  private static JsonNode schema(String param, JsonNode v) {
    if (v.isTextual()) {
      try {
        v = JSON.readTree(v.asText());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw ApiException.badRequest(param, param + " is a string but not valid JSON");
      }
    }
    if (!v.isObject() && !v.isBoolean()) {
      throw ApiException.badRequest(param, param + " must be a JSON Schema (an object)");
    }
    return v;
  }
}
