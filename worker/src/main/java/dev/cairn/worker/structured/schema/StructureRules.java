package dev.cairn.worker.structured.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.structured.ConstraintException;
import dev.cairn.worker.structured.grammar.Expr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Objects and arrays. Objects list the declared properties in declaration order, required ones
 * always and optional ones at will; undeclared properties are never generated (a sound choice even
 * when {@code additionalProperties} allows them), except for a map schema (no {@code properties},
 * {@code additionalProperties} a schema). Arrays honour prefixItems, items and min/maxItems
 * exactly.
 */
final class StructureRules {

  private final SchemaCompiler c;
  private final JsonTerminals json;

  StructureRules(SchemaCompiler c, JsonTerminals json) {
    this.c = c;
    this.json = json;
  }

  Expr object(JsonNode schema, String path) {
    JsonNode props = schema.path("properties");
    JsonNode additional = schema.get("additionalProperties");
    Set<String> required = required(schema, path);
    if (props.isMissingNode() || props.isEmpty()) {
      if (!required.isEmpty()
          && additional != null
          && additional.isBoolean()
          && !additional.booleanValue()) {
        throw new ConstraintException(
            "required", path + "/required", "required properties are not allowed");
      }
      if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
        // No property may appear: the empty object alone (a function without parameters).
        return Expr.seq(Expr.text("{"), json.ws(), Expr.text("}"));
      }
      if (required.isEmpty()) {
        Expr value =
            additional == null || additional.isBoolean()
                ? json.anyValue()
                : sub(additional, path + "/additionalProperties");
        Expr member =
            Expr.seq(json.anyString(), json.ws(), Expr.text(":"), json.ws(), value, json.ws());
        return json.container("{", member, "}");
      }
    }
    if (!props.isMissingNode() && !props.isObject()) {
      throw new ConstraintException(
          "properties", path + "/properties", "properties must be an object");
    }
    List<String> names = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      names.add(e.getKey());
      values.add(sub(e.getValue(), path + "/properties/" + escape(e.getKey())));
    }
    for (String r : required) {
      if (!names.contains(r)) {
        if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
          throw new ConstraintException(
              "required", path + "/required", "required property '" + r + "' is not declared");
        }
        names.add(r);
        values.add(
            additional == null || additional.isBoolean()
                ? json.anyValue()
                : sub(additional, path + "/additionalProperties"));
      }
    }
    Members m = new Members(names, values, required, path);
    return Expr.seq(Expr.text("{"), json.ws(), m.from(0, false), Expr.text("}"));
  }

  /**
   * The member sequences, one rule per (index, comma needed) so optional properties cost linear
   * grammar size instead of an exponential tree of alternatives.
   */
  private final class Members {
    private final List<String> names;
    private final List<Expr> values;
    private final Set<String> required;
    private final String path;
    private final Map<Integer, Expr> rules = new HashMap<>();

    Members(List<String> names, List<Expr> values, Set<String> required, String path) {
      this.names = names;
      this.values = values;
      this.required = required;
      this.path = path;
    }

    Expr from(int i, boolean comma) {
      int key = 2 * i + (comma ? 1 : 0);
      Expr cached = rules.get(key);
      if (cached == null) {
        cached = new Expr.Call(c.rule(path + "#members" + key, members(this, i, comma)));
        rules.put(key, cached);
      }
      return cached;
    }
  }

  /** Members from index i on; {@code comma}: one was emitted already, so the next needs a comma. */
  private Expr members(Members m, int i, boolean comma) {
    List<String> names = m.names;
    if (i == names.size()) {
      return new Expr.Seq(List.of());
    }
    Expr member =
        Expr.seq(
            comma ? Expr.seq(Expr.text(","), json.ws()) : new Expr.Seq(List.of()),
            Expr.text(Literals.quote(names.get(i))),
            json.ws(),
            Expr.text(":"),
            json.ws(),
            m.values.get(i),
            json.ws(),
            m.from(i + 1, true));
    if (m.required.contains(names.get(i))) {
      return member;
    }
    return Expr.alt(List.of(member, m.from(i + 1, comma)));
  }

  private Set<String> required(JsonNode schema, String path) {
    Set<String> required = new HashSet<>();
    JsonNode r = schema.get("required");
    if (r == null) {
      return required;
    }
    if (!r.isArray()) {
      throw new ConstraintException(
          "required", path + "/required", "required must be an array of names");
    }
    for (JsonNode n : r) {
      if (!n.isTextual()) {
        throw new ConstraintException(
            "required", path + "/required", "required must be an array of names");
      }
      required.add(n.asText());
    }
    return required;
  }

  Expr array(JsonNode schema, String path) {
    List<Expr> prefix = new ArrayList<>();
    JsonNode prefixItems = schema.path("prefixItems");
    for (int i = 0; i < prefixItems.size(); i++) {
      prefix.add(sub(prefixItems.get(i), path + "/prefixItems/" + i));
    }
    JsonNode items = schema.get("items");
    boolean closed = items != null && items.isBoolean() && !items.booleanValue();
    Expr item = items == null || items.isBoolean() ? json.anyValue() : sub(items, path + "/items");
    int min = count(schema, "minItems", path, 0);
    int max = count(schema, "maxItems", path, -1);
    if (closed) {
      max = max < 0 ? prefix.size() : Math.min(max, prefix.size());
    }
    if (max >= 0 && min > max) {
      throw new ConstraintException(
          "minItems", path + "/minItems", "minItems exceeds the items allowed");
    }
    return Expr.seq(Expr.text("["), json.ws(), elements(prefix, item, min, max, 0), Expr.text("]"));
  }

  /**
   * The elements from index k on, k elements having been written: the prefix items one by one, then
   * the rest counted ({@link Expr.Counted}: minItems and maxItems of thousands cost one item's
   * states).
   */
  private Expr elements(List<Expr> prefix, Expr item, int min, int max, int k) {
    Expr end = new Expr.Seq(List.of());
    if (max >= 0 && k == max) {
      return end;
    }
    if (k >= prefix.size()) {
      Expr more = Expr.seq(Expr.text(","), json.ws(), item, json.ws());
      if (k > 0) {
        return new Expr.Counted(more, Math.max(0, min - k), max < 0 ? -1 : max - k);
      }
      // The first item has no comma before it.
      Expr items =
          Expr.seq(
              item,
              json.ws(),
              new Expr.Counted(more, Math.max(0, min - 1), max < 0 ? -1 : max - 1));
      return min == 0 ? Expr.alt(List.of(end, items)) : items;
    }
    Expr sep = k == 0 ? end : Expr.seq(Expr.text(","), json.ws());
    Expr next = Expr.seq(sep, prefix.get(k), json.ws(), elements(prefix, item, min, max, k + 1));
    return k >= min ? Expr.alt(List.of(end, next)) : next;
  }

  private static int count(JsonNode schema, String keyword, String path, int absent) {
    JsonNode n = schema.get(keyword);
    if (n == null) {
      return absent;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
      throw new ConstraintException(
          keyword, path + "/" + keyword, keyword + " must be a non-negative integer");
    }
    return n.intValue();
  }

  private Expr sub(JsonNode schema, String path) {
    return new Expr.Call(c.ruleFor(schema, path));
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
