package dev.cairn.worker.structured.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.structured.ConstraintException;
import dev.cairn.worker.structured.grammar.Expr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code anyOf} and {@code oneOf}: the union of the branches. A grammar cannot enforce "exactly
 * one", so {@code oneOf} is accepted only when no value can match two branches — here, when the
 * branches' possible JSON types are pairwise disjoint (e.g. a nullable {@code [{type: null},
 * {...}]}).
 */
final class Combinators {

  private Combinators() {}

  static Expr anyOf(SchemaCompiler c, JsonNode schema, String path) {
    String keyword = schema.has("anyOf") ? "anyOf" : "oneOf";
    c.only(schema, path, keyword);
    JsonNode branches = schema.get(keyword);
    if (!branches.isArray() || branches.isEmpty()) {
      throw new ConstraintException(keyword, path + "/" + keyword, "must be a non-empty array");
    }
    if (keyword.equals("oneOf")) {
      checkDisjoint(c, branches, path + "/oneOf");
    }
    List<Expr> alternatives = new ArrayList<>();
    for (int i = 0; i < branches.size(); i++) {
      String p = path + "/" + keyword + "/" + i;
      alternatives.add(new Expr.Call(c.ruleFor(branches.get(i), p)));
    }
    return Expr.alt(alternatives);
  }

  private static void checkDisjoint(SchemaCompiler c, JsonNode branches, String path) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < branches.size(); i++) {
      for (String t : possibleTypes(c, branches.get(i), path + "/" + i)) {
        boolean overlap =
            !seen.add(t)
                || t.equals("integer") && seen.contains("number")
                || t.equals("number") && seen.contains("integer");
        if (overlap) {
          throw new ConstraintException(
              "oneOf",
              path + "/" + i,
              "branches that may overlap (both allow " + t + ") are not supported");
        }
      }
    }
  }

  private static Set<String> possibleTypes(SchemaCompiler c, JsonNode branch, String path) {
    JsonNode s = c.resolve(branch);
    if (!s.isObject()) {
      return Set.copyOf(SchemaCompiler.TYPES);
    }
    if (s.has("const")) {
      return Set.of(Literals.typeOf(s.get("const")));
    }
    if (s.has("enum") && s.get("enum").isArray()) {
      Set<String> types = new HashSet<>();
      s.get("enum").forEach(v -> types.add(Literals.typeOf(v)));
      return types;
    }
    if (s.has("anyOf") || s.has("oneOf") || s.has("allOf")) {
      return Set.copyOf(SchemaCompiler.TYPES);
    }
    return c.types(s, path);
  }
}
