package dev.cairn.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a CRD's {@code x-kubernetes-validations} (CEL) on an object as the API server does:
 * after the schema's defaults are applied, each rule with {@code self} bound to the value at the
 * node that declares it. Uses cel-java with the strings extension (Kubernetes' {@code lowerAscii}
 * and friends); a rule that does not compile or evaluate fails the caller, as it would fail the
 * CRD's installation.
 */
public final class CrdCelRules {
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .addLibraries(CelExtensions.strings())
          .build();
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().addLibraries(CelExtensions.strings()).build();

  private final JsonNode schema;

  /** Rules of one version's openAPIV3Schema, e.g. {@link CrdSchemaValidator#schema(String)}. */
  public CrdCelRules(JsonNode schema) {
    this.schema = schema;
  }

  /**
   * Every rule in the schema as "path: rule", for checks that a rule is declared where expected.
   */
  public List<String> declared() {
    List<String> out = new ArrayList<>();
    collect(schema, "", out);
    return out;
  }

  /** The messages of the rules the object breaks, each prefixed by its path; empty when none. */
  public List<String> violations(JsonNode object) {
    JsonNode defaulted = object.deepCopy();
    applyDefaults(schema, defaulted);
    List<String> out = new ArrayList<>();
    evaluate(schema, defaulted, "", out);
    return out;
  }

  private static void collect(JsonNode s, String path, List<String> out) {
    for (JsonNode rule : s.path("x-kubernetes-validations")) {
      out.add(path + ": " + rule.path("rule").asText());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      collect(p.getValue(), join(path, p.getKey()), out);
    }
  }

  /** Structural defaulting: a missing property with a default gets it, then its children do. */
  private static void applyDefaults(JsonNode s, JsonNode value) {
    if (!(value instanceof ObjectNode obj)) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (!obj.has(p.getKey()) && p.getValue().has("default")) {
        obj.set(p.getKey(), p.getValue().get("default").deepCopy());
      }
      if (obj.has(p.getKey())) {
        applyDefaults(p.getValue(), obj.get(p.getKey()));
      }
    }
  }

  private static void evaluate(JsonNode s, JsonNode value, String path, List<String> out) {
    for (JsonNode rule : s.path("x-kubernetes-validations")) {
      if (!holds(rule.path("rule").asText(), toCel(s, value))) {
        out.add(path + ": " + rule.path("message").asText(rule.path("rule").asText()));
      }
    }
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> p = it.next();
        if (value.has(p.getKey())) {
          evaluate(p.getValue(), value.get(p.getKey()), join(path, p.getKey()), out);
        }
      }
    }
  }

  private static boolean holds(String rule, Object self) {
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(rule).getAst();
      Object result = RUNTIME.createProgram(ast).eval(Map.of("self", self));
      if (!(result instanceof Boolean b)) {
        throw new IllegalStateException("rule " + rule + " returned " + result + ", not a bool");
      }
      return b;
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalStateException(
          "rule " + rule + " cannot be evaluated: " + e.getMessage(), e);
    }
  }

  /**
   * JSON as CEL sees it through the schema: maps, lists, int (Long), string, bool, and double for
   * every value of a {@code number} field, 2 included; nulls are absent.
   */
  private static Object toCel(JsonNode s, JsonNode v) {
    if (v.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      v.fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isNull()) {
                  JsonNode field = s.path("properties").path(e.getKey());
                  map.put(
                      e.getKey(),
                      toCel(
                          field.isMissingNode() ? s.path("additionalProperties") : field,
                          e.getValue()));
                }
              });
      return map;
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>();
      v.forEach(e -> list.add(toCel(s.path("items"), e)));
      return list;
    }
    if (v.isNumber()) {
      return "number".equals(s.path("type").asText()) || !v.isIntegralNumber()
          ? (Object) v.asDouble()
          : (Object) v.asLong();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    return v.asText();
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
