package dev.cairn.worker.structured.schema;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.structured.ConstraintException;
import dev.cairn.worker.structured.grammar.Expr;
import dev.cairn.worker.structured.grammar.GrammarBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON Schema into grammar rules whose sentences are exactly JSON texts that validate
 * (or a sound subset of them: e.g. only declared properties are generated). Keywords it cannot
 * enforce are refused by name with their JSON pointer; annotations are ignored.
 */
public final class SchemaCompiler {

  static final Set<String> ANNOTATIONS =
      Set.of(
          "description",
          "title",
          "$schema",
          "$id",
          "$comment",
          "examples",
          "default",
          "deprecated",
          "readOnly",
          "writeOnly",
          "$defs",
          "definitions");
  static final Map<String, String> KEYWORD_TYPE =
      Map.ofEntries(
          Map.entry("properties", "object"),
          Map.entry("required", "object"),
          Map.entry("additionalProperties", "object"),
          Map.entry("items", "array"),
          Map.entry("prefixItems", "array"),
          Map.entry("minItems", "array"),
          Map.entry("maxItems", "array"),
          Map.entry("minLength", "string"),
          Map.entry("maxLength", "string"),
          Map.entry("pattern", "string"),
          Map.entry("format", "string"),
          Map.entry("minimum", "number"),
          Map.entry("maximum", "number"),
          Map.entry("exclusiveMinimum", "number"),
          Map.entry("exclusiveMaximum", "number"));
  static final Set<String> GENERAL =
      Set.of("type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref");
  static final List<String> TYPES =
      List.of("object", "array", "string", "number", "integer", "boolean", "null");

  private final JsonNode document;
  private final GrammarBuilder g;
  private final JsonTerminals json;
  private final Map<String, Integer> refRules = new HashMap<>();
  private final StructureRules structures;

  /**
   * @param document the root schema, against which {@code $ref}s resolve
   */
  public SchemaCompiler(GrammarBuilder g, JsonTerminals json, JsonNode document) {
    this.g = g;
    this.json = json;
    this.document = document;
    this.structures = new StructureRules(this, json);
  }

  /** A rule matching JSON values that validate against {@code schema} (found at {@code path}). */
  public int ruleFor(JsonNode schema, String path) {
    return g.rule(path.isEmpty() ? "/" : path, expr(schema, path));
  }

  /** Declares and defines a helper rule. */
  int rule(String name, Expr body) {
    return g.rule(name, body);
  }

  Expr expr(JsonNode schema, String path) {
    if (schema.isBoolean()) {
      if (!schema.booleanValue()) {
        throw new ConstraintException("false", path, "the schema false accepts nothing");
      }
      return json.anyValue();
    }
    if (!schema.isObject()) {
      throw new ConstraintException("schema", path, "a schema must be an object or a boolean");
    }
    checkKeywords(schema, path);
    if (schema.has("$ref")) {
      only(schema, path, "$ref");
      return JsonTerminals.call(refRule(schema.get("$ref"), path + "/$ref"));
    }
    if (schema.has("const") || schema.has("enum")) {
      return Literals.of(schema, path, types(schema, path));
    }
    if (schema.has("anyOf") || schema.has("oneOf")) {
      return Combinators.anyOf(this, schema, path);
    }
    if (schema.has("allOf")) {
      only(schema, path, "allOf");
      JsonNode all = schema.get("allOf");
      if (!all.isArray() || all.size() != 1) {
        throw new ConstraintException(
            "allOf", path + "/allOf", "only allOf with one schema is supported");
      }
      return expr(all.get(0), path + "/allOf/0");
    }
    List<Expr> alternatives = new ArrayList<>();
    for (String type : types(schema, path)) {
      alternatives.add(typed(type, schema, path));
    }
    return Expr.alt(alternatives);
  }

  private Expr typed(String type, JsonNode schema, String path) {
    return switch (type) {
      case "object" -> structures.object(schema, path);
      case "array" -> structures.array(schema, path);
      case "string" -> Scalars.string(schema, path, json);
      case "integer" -> Scalars.number(schema, path, true);
      case "number" -> Scalars.number(schema, path, false);
      case "boolean" -> Expr.alt(List.of(Expr.text("true"), Expr.text("false")));
      default -> Expr.text("null");
    };
  }

  /** The types the value may take: {@code type}, else those whose keywords appear, else all. */
  Set<String> types(JsonNode schema, String path) {
    Set<String> types = new LinkedHashSet<>();
    JsonNode type = schema.get("type");
    if (type != null) {
      for (JsonNode t : type.isArray() ? type : List.of(type)) {
        if (!t.isTextual() || !TYPES.contains(t.asText())) {
          throw new ConstraintException("type", path + "/type", "unknown type " + t);
        }
        types.add(t.asText());
      }
      if (types.isEmpty()) {
        throw new ConstraintException("type", path + "/type", "an empty type list accepts nothing");
      }
      if (types.contains("number")) {
        types.remove("integer"); // number already covers them
      }
      return types;
    }
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String kind = KEYWORD_TYPE.get(it.next());
      if (kind != null) {
        types.add(kind);
      }
    }
    return types.isEmpty()
        ? new LinkedHashSet<>(List.of("object", "array", "string", "number", "boolean", "null"))
        : types;
  }

  private void checkKeywords(JsonNode schema, String path) {
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!ANNOTATIONS.contains(k) && !GENERAL.contains(k) && !KEYWORD_TYPE.containsKey(k)) {
        throw new ConstraintException(k, path + "/" + k, "keyword '" + k + "' is not supported");
      }
    }
  }

  /** Refuses assertions next to {@code keyword}, which Cairn does not combine with it. */
  void only(JsonNode schema, String path, String keyword) {
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals(keyword) && !ANNOTATIONS.contains(k)) {
        throw new ConstraintException(
            k, path + "/" + k, "'" + k + "' next to '" + keyword + "' is not supported");
      }
    }
  }

  private int refRule(JsonNode ref, String path) {
    if (!ref.isTextual() || !ref.asText().startsWith("#")) {
      throw new ConstraintException("$ref", path, "only local references (#...) are supported");
    }
    String pointer = ref.asText().substring(1);
    Integer rule = refRules.get(pointer);
    if (rule != null) {
      return rule;
    }
    JsonNode target;
    try {
      target = document.at(JsonPointer.compile(pointer));
    } catch (IllegalArgumentException e) {
      throw new ConstraintException("$ref", path, "invalid JSON pointer " + ref.asText());
    }
    if (target.isMissingNode()) {
      throw new ConstraintException("$ref", path, "unresolvable reference " + ref.asText());
    }
    int id = g.declare(pointer.isEmpty() ? "/" : pointer);
    refRules.put(pointer, id);
    g.define(id, expr(target, pointer));
    return id;
  }

  /** Follows $refs to the schema they name (for analyses such as oneOf's overlap check). */
  JsonNode resolve(JsonNode schema) {
    for (int hops = 0; schema.isObject() && schema.has("$ref") && hops < 32; hops++) {
      schema = document.at(JsonPointer.compile(schema.get("$ref").asText().substring(1)));
    }
    return schema;
  }
}
