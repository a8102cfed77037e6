package dev.cairn.worker.structured;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Random;

/**
 * Seeded random JSON Schemas covering every supported keyword, with strings, arrays and numbers
 * bounded so that a random walk through the token masks completes in reasonable steps.
 */
final class SchemaGenerator {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final List<String> FORMATS = List.of("date", "date-time", "uuid", "email");
  private static final List<String> PATTERNS =
      List.of("^[a-z]{1,4}$", "^\\d{2}-\\d{2}$", "ab", "^(x|yz)+$");

  private final Random random;
  private ObjectNode defs;

  SchemaGenerator(long seed) {
    this.random = new Random(seed);
  }

  ObjectNode next() {
    defs = F.objectNode();
    ObjectNode schema = schema(0);
    if (random.nextInt(4) == 0) {
      // Recursive: a tree whose children are optional and bounded in number.
      ObjectNode node = F.objectNode().put("type", "object");
      node.putObject("properties").set("label", string());
      ((ObjectNode) node.get("properties"))
          .putObject("children")
          .put("type", "array")
          .put("maxItems", 2)
          .putObject("items")
          .put("$ref", "#/$defs/node");
      node.putArray("required").add("label");
      node.put("additionalProperties", false);
      defs.set("node", node);
      ObjectNode wrapper = F.objectNode().put("type", "object");
      ObjectNode props = wrapper.putObject("properties");
      props.set("tree", F.objectNode().put("$ref", "#/$defs/node"));
      props.set("data", schema);
      wrapper.putArray("required").add("data");
      schema = wrapper;
    }
    if (!defs.isEmpty()) {
      schema.set("$defs", defs);
    }
    return schema;
  }

  private ObjectNode schema(int depth) {
    int kind = random.nextInt(depth >= 2 ? 7 : 11);
    return switch (kind) {
      case 0 -> string();
      case 1 -> integer();
      case 2 -> number();
      case 3 -> F.objectNode().put("type", random.nextBoolean() ? "boolean" : "null");
      case 4 -> enumOrConst();
      case 5 -> nullableString();
      case 6 -> ref(depth);
      case 7 -> object(depth);
      case 8 -> array(depth);
      case 9 -> anyOf(depth);
      default -> oneOf(depth);
    };
  }

  private ObjectNode nullableString() {
    ObjectNode s = F.objectNode().put("maxLength", 5);
    s.putArray("type").add("string").add("null");
    return s;
  }

  private ObjectNode string() {
    ObjectNode s = F.objectNode().put("type", "string").put("description", "a string");
    switch (random.nextInt(4)) {
      case 0 -> s.put("minLength", random.nextInt(3)).put("maxLength", 3 + random.nextInt(6));
      case 1 ->
          s.put("pattern", PATTERNS.get(random.nextInt(PATTERNS.size()))).put("maxLength", 12);
      case 2 -> s.put("format", FORMATS.get(random.nextInt(FORMATS.size())));
      default -> s.put("maxLength", 8);
    }
    return s;
  }

  private ObjectNode integer() {
    ObjectNode s = F.objectNode().put("type", "integer");
    int lo = random.nextInt(2000) - 1000;
    s.put(random.nextBoolean() ? "minimum" : "exclusiveMinimum", lo);
    s.put(random.nextBoolean() ? "maximum" : "exclusiveMaximum", lo + 2 + random.nextInt(5000));
    return s;
  }

  private ObjectNode number() {
    ObjectNode s = F.objectNode().put("type", "number").put("title", "n");
    double lo = Math.round((random.nextDouble() * 200 - 100) * 100) / 100.0;
    s.put("minimum", lo).put("maximum", lo + 1 + random.nextInt(300));
    return s;
  }

  private ObjectNode enumOrConst() {
    if (random.nextBoolean()) {
      return F.objectNode().put("const", random.nextBoolean() ? "fixed \"q\"" : "élan");
    }
    ObjectNode s = F.objectNode();
    s.putArray("enum")
        .add("red")
        .add(3)
        .add(F.nullNode())
        .add(true)
        .add(F.objectNode().put("k", 1));
    return s;
  }

  private ObjectNode ref(int depth) {
    String name = "d" + defs.size();
    defs.putNull(name); // reserve the name before nested refs pick theirs
    defs.set(name, schema(depth + 1));
    return F.objectNode().put("$ref", "#/$defs/" + name);
  }

  private ObjectNode object(int depth) {
    ObjectNode s = F.objectNode().put("type", "object");
    ObjectNode props = s.putObject("properties");
    ArrayNode required = s.putArray("required");
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      String name = "p" + i + (i == 1 ? " / ~x" : "");
      props.set(name, schema(depth + 1));
      if (random.nextBoolean()) {
        required.add(name);
      }
    }
    s.put("additionalProperties", random.nextBoolean() ? false : true);
    return s;
  }

  private ObjectNode array(int depth) {
    ObjectNode s = F.objectNode().put("type", "array");
    if (random.nextBoolean()) {
      s.putArray("prefixItems").add(schema(depth + 1)).add(integer());
      s.put("items", false);
    } else {
      s.set("items", schema(depth + 1));
    }
    int min = random.nextInt(2);
    return s.put("minItems", min).put("maxItems", min + random.nextInt(3));
  }

  private ObjectNode anyOf(int depth) {
    ObjectNode s = F.objectNode();
    s.putArray("anyOf").add(schema(depth + 1)).add(schema(depth + 1));
    return s;
  }

  private ObjectNode oneOf(int depth) {
    ObjectNode s = F.objectNode();
    s.putArray("oneOf").add(F.objectNode().put("type", "null")).add(object(depth + 1));
    return s;
  }
}
