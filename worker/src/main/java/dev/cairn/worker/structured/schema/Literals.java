package dev.cairn.worker.structured.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.structured.ConstraintException;
import dev.cairn.worker.structured.grammar.Expr;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** {@code const} and {@code enum}: the allowed values, written as compact JSON literals. */
final class Literals {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Literals() {}

  static Expr of(JsonNode schema, String path, Set<String> types) {
    String keyword = schema.has("const") ? "const" : "enum";
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals(keyword) && !k.equals("type") && !SchemaCompiler.ANNOTATIONS.contains(k)) {
        throw new ConstraintException(
            k, path + "/" + k, "'" + k + "' next to '" + keyword + "' is not supported");
      }
    }
    List<JsonNode> values = new ArrayList<>();
    if (keyword.equals("const")) {
      values.add(schema.get("const"));
    } else {
      JsonNode e = schema.get("enum");
      if (!e.isArray() || e.isEmpty()) {
        throw new ConstraintException("enum", path + "/enum", "enum must be a non-empty array");
      }
      e.forEach(values::add);
    }
    List<Expr> alternatives = new ArrayList<>();
    for (JsonNode v : values) {
      if (!schema.has("type")
          || types.contains(typeOf(v))
          || isInteger(v) && types.contains("number")) {
        alternatives.add(Expr.text(write(v)));
      }
    }
    if (alternatives.isEmpty()) {
      throw new ConstraintException(keyword, path + "/" + keyword, "no value matches 'type'");
    }
    return Expr.alt(alternatives);
  }

  static String typeOf(JsonNode v) {
    if (isInteger(v)) {
      return "integer";
    }
    return switch (v.getNodeType()) {
      case NUMBER -> "number";
      case STRING -> "string";
      case BOOLEAN -> "boolean";
      case ARRAY -> "array";
      case OBJECT -> "object";
      default -> "null";
    };
  }

  private static boolean isInteger(JsonNode v) {
    return v.isIntegralNumber()
        || v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0;
  }

  /** A property name as a JSON string literal. */
  static String quote(String name) {
    return write(MAPPER.getNodeFactory().textNode(name));
  }

  private static String write(JsonNode v) {
    try {
      return MAPPER.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
