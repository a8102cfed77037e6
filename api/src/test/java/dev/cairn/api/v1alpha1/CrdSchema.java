package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A structural check of a document against the committed CRD's openAPIV3Schema: what the API server
 * enforces before CEL (required, type, enum, pattern, minimum, maximum, int-or-string) plus unknown
 * fields, which a structural schema would silently prune.
 */
final class CrdSchema {
  static final String CRD_FILE = "crds/llmdeployments.llm.cairn.dev-v1.yml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final JsonNode schema;

  private CrdSchema(JsonNode schema) {
    this.schema = schema;
  }

  /** The schema of the CRD committed in the repository. */
  static CrdSchema committed() throws IOException {
    JsonNode crd = YAML.readTree(Files.readString(repoRoot().resolve(CRD_FILE)));
    return new CrdSchema(crd.at("/spec/versions/0/schema/openAPIV3Schema"));
  }

  static Path repoRoot() {
    String root = System.getProperty("cairn.repo.root");
    return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
  }

  /** Every violation of the schema by a whole resource document (empty when it conforms). */
  List<String> check(JsonNode document) {
    List<String> errors = new ArrayList<>();
    for (String part : List.of("spec", "status")) {
      if (document.has(part)) {
        check(schema.at("/properties/" + part), document.get(part), part, errors);
      }
    }
    return errors;
  }

  private void check(JsonNode s, JsonNode v, String path, List<String> errors) {
    if (s.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (!v.isIntegralNumber() && !v.isTextual()) {
        errors.add(path + ": must be an integer or a string");
      }
      return;
    }
    String type = s.path("type").asText("");
    if (!typeMatches(type, v)) {
      errors.add(path + ": must be of type " + type + ", got " + v.getNodeType());
      return;
    }
    if (s.has("enum") && !contains(s.get("enum"), v)) {
      errors.add(path + ": " + v + " is not one of " + s.get("enum"));
    }
    if (s.has("pattern")
        && v.isTextual()
        && !Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
      errors.add(path + ": \"" + v.asText() + "\" does not match " + s.get("pattern").asText());
    }
    if (s.has("minimum") && v.isNumber() && v.asDouble() < s.get("minimum").asDouble()) {
      errors.add(path + ": " + v + " is below the minimum " + s.get("minimum"));
    }
    if (s.has("maximum") && v.isNumber() && v.asDouble() > s.get("maximum").asDouble()) {
      errors.add(path + ": " + v + " is above the maximum " + s.get("maximum"));
    }
    if ("object".equals(type)) {
      object(s, v, path, errors);
    } else if ("array".equals(type) && s.has("items")) {
      for (int i = 0; i < v.size(); i++) {
        check(s.get("items"), v.get(i), path + "[" + i + "]", errors);
      }
    }
  }

  private void object(JsonNode s, JsonNode v, String path, List<String> errors) {
    for (JsonNode req : s.path("required")) {
      if (!v.has(req.asText())) {
        errors.add(path + "." + req.asText() + ": is required");
      }
    }
    JsonNode props = s.path("properties");
    JsonNode additional = s.get("additionalProperties");
    boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = path + "." + e.getKey();
      if (props.has(e.getKey())) {
        check(props.get(e.getKey()), e.getValue(), p, errors);
      } else if (additional != null && additional.isObject()) {
        check(additional, e.getValue(), p, errors);
      } else if (!preserve) {
        errors.add(p + ": unknown field (the API server would drop it)");
      }
    }
  }

  private static boolean typeMatches(String type, JsonNode v) {
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" -> v.isIntegralNumber();
      case "number" -> v.isNumber();
      case "boolean" -> v.isBoolean();
      default -> true;
    };
  }

  private static boolean contains(JsonNode values, JsonNode v) {
    for (JsonNode e : values) {
      if (e.equals(v)) {
        return true;
      }
    }
    return false;
  }
}
