package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Typed reads of optional request fields. A field that is absent or JSON {@code null} reads as
 * null; a field of the wrong type is a 400 naming it, as OpenAI answers.
 */
final class JsonFields {
  private JsonFields() {}

  static Double number(ObjectNode body, String field) {
    JsonNode n = present(body, field);
    if (n == null) {
      return null;
    }
    if (!n.isNumber()) {
      throw typeError(field, "a number", n);
    }
    return n.doubleValue();
  }

  static Integer integer(ObjectNode body, String field) {
    JsonNode n = present(body, field);
    if (n == null) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw typeError(field, "an integer", n);
    }
    return n.intValue();
  }

  static Long longInteger(ObjectNode body, String field) {
    JsonNode n = present(body, field);
    if (n == null) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw typeError(field, "an integer", n);
    }
    return n.longValue();
  }

  static Boolean bool(ObjectNode body, String field) {
    JsonNode n = present(body, field);
    if (n == null) {
      return null;
    }
    if (!n.isBoolean()) {
      throw typeError(field, "a boolean", n);
    }
    return n.booleanValue();
  }

  static String string(ObjectNode body, String field) {
    JsonNode n = present(body, field);
    if (n == null) {
      return null;
    }
    if (!n.isTextual()) {
      throw typeError(field, "a string", n);
    }
    return n.textValue();
  }

  static ObjectNode object(ObjectNode body, String field) {
    JsonNode n = present(body, field);
    if (n == null) {
      return null;
    }
    if (!n.isObject()) {
      throw typeError(field, "an object", n);
    }
    return (ObjectNode) n;
  }

  /** The field's node, or null when absent or JSON null. */
  static JsonNode present(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    return n == null || n.isNull() ? null : n;
  }

  static ApiException typeError(String field, String expected, JsonNode got) {
    return ApiException.badRequest(
        field,
        "'" + field + "' must be " + expected + ", got " + got.getNodeType().name().toLowerCase());
  }
}
