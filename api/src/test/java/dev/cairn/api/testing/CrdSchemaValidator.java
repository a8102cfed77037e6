package dev.cairn.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an object against a CRD's structural openAPIV3Schema the way the API server would before
 * CEL: types, required, enum, pattern, bounds, list-type uniqueness, and unknown fields (rejected
 * unless the schema preserves them; the API server would silently prune them, which is worse). The
 * one schema checker of the build: the api module's tests use it on the committed LLMDeployment
 * CRD, the operator's (through the api test-jar) on the Prometheus Operator's CRDs.
 */
public final class CrdSchemaValidator {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern LABEL_VALUE =
      Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
  private static final Pattern LABEL_NAME =
      Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  /** Present on every object whether or not a CRD's schema declares them. */
  private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private final String group;
  private final String kind;
  private final Map<String, JsonNode> schemas;

  private CrdSchemaValidator(String group, String kind, Map<String, JsonNode> schemas) {
    this.group = group;
    this.kind = kind;
    this.schemas = schemas;
  }

  /** The committed LLMDeployment CRD, relative to the repository root. */
  public static final String LLM_DEPLOYMENT_CRD = "crds/llmdeployments.llm.cairn.dev-v1.yml";

  /** The LLMDeployment CRD committed in the repository (what the build generated last). */
  public static CrdSchemaValidator committedLlmDeployment() {
    return fromFile(repoRoot().resolve(LLM_DEPLOYMENT_CRD));
  }

  /** The repository root: {@code cairn.repo.root}, else the parent of the module directory. */
  public static Path repoRoot() {
    String root = System.getProperty("cairn.repo.root");
    return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
  }

  /** Loads a CRD YAML file. */
  public static CrdSchemaValidator fromFile(Path file) {
    try {
      return of(YAML.readTree(Files.readString(file)));
    } catch (IOException e) {
      throw new IllegalArgumentException("CRD " + file + " cannot be read", e);
    }
  }

  /** Loads a CRD YAML from the test classpath. */
  public static CrdSchemaValidator fromClasspath(String resource) {
    try (InputStream in = CrdSchemaValidator.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("CRD " + resource + " is not on the test classpath");
      }
      return of(YAML.readTree(in));
    } catch (IOException e) {
      throw new IllegalArgumentException("CRD " + resource + " cannot be read", e);
    }
  }

  private static CrdSchemaValidator of(JsonNode crd) {
    Map<String, JsonNode> schemas = new LinkedHashMap<>();
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("served").asBoolean(false)) {
        schemas.put(v.path("name").asText(), v.path("schema").path("openAPIV3Schema"));
      }
    }
    return new CrdSchemaValidator(
        crd.path("spec").path("group").asText(),
        crd.path("spec").path("names").path("kind").asText(),
        schemas);
  }

  /** The openAPIV3Schema of one served version, e.g. for {@link CrdCelRules}. */
  public JsonNode schema(String version) {
    JsonNode schema = schemas.get(version);
    if (schema == null) {
      throw new IllegalArgumentException(version + " is not a served version of " + group);
    }
    return schema;
  }

  /** Every violation, each naming its JSON path; empty when the object is valid. */
  public List<String> validate(JsonNode object) {
    List<String> errors = new ArrayList<>();
    String apiVersion = object.path("apiVersion").asText();
    String version =
        apiVersion.startsWith(group + "/") ? apiVersion.substring(group.length() + 1) : null;
    JsonNode schema = version == null ? null : schemas.get(version);
    if (schema == null) {
      errors.add("apiVersion: " + apiVersion + " is not a served version of group " + group);
      return errors;
    }
    if (!kind.equals(object.path("kind").asText())) {
      errors.add("kind: " + object.path("kind").asText() + " is not " + kind);
    }
    metadata(object.path("metadata"), errors);
    check(schema, object, "", errors);
    return errors;
  }

  /** The API server validates metadata itself; the schema says only "type: object". */
  private static void metadata(JsonNode meta, List<String> errors) {
    if (!DNS_SUBDOMAIN.matcher(meta.path("name").asText()).matches()) {
      errors.add("metadata.name: " + meta.path("name") + " is not a DNS subdomain");
    }
    for (String field : List.of("labels", "annotations")) {
      Iterator<Map.Entry<String, JsonNode>> it = meta.path(field).fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = e.getKey();
        String name = key.contains("/") ? key.substring(key.indexOf('/') + 1) : key;
        if (name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
          errors.add("metadata." + field + ": key " + key + " is invalid");
        }
        String value = e.getValue().asText();
        if (field.equals("labels")
            && (value.length() > 63 || !LABEL_VALUE.matcher(value).matches())) {
          errors.add("metadata.labels." + key + ": value " + value + " is invalid");
        }
      }
    }
  }

  private void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        errors.add(path + ": null is not allowed");
      }
      return;
    }
    combinators(schema, value, path, errors);
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (!value.isIntegralNumber() && !value.isTextual()) {
        errors.add(path + ": must be an integer or a string");
      }
    } else if (schema.has("type")) {
      typed(schema, value, path, errors);
    }
    if (schema.has("enum") && !contains(schema.path("enum"), value)) {
      errors.add(path + ": " + value + " is not one of " + schema.path("enum"));
    }
  }

  private void typed(JsonNode schema, JsonNode value, String path, List<String> errors) {
    switch (schema.path("type").asText()) {
      case "object" -> object(schema, value, path, errors);
      case "array" -> array(schema, value, path, errors);
      case "string" -> string(schema, value, path, errors);
      case "integer" -> number(schema, value, value.isIntegralNumber(), path, errors);
      case "number" -> number(schema, value, value.isNumber(), path, errors);
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(path + ": must be a boolean, is " + value);
        }
      }
      default -> errors.add(path + ": schema type " + schema.path("type") + " is unknown");
    }
  }

  private void object(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (!value.isObject()) {
      errors.add(path + ": must be an object, is " + value.getNodeType());
      return;
    }
    for (JsonNode req : schema.path("required")) {
      if (!value.has(req.asText())) {
        errors.add(join(path, req.asText()) + ": is required");
      }
    }
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    JsonNode additional = schema.path("additionalProperties");
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String p = join(path, f.getKey());
      if (path.isEmpty() && ROOT_FIELDS.contains(f.getKey())) {
        continue; // the API server's own; metadata is checked by metadata()
      }
      JsonNode prop = schema.path("properties").get(f.getKey());
      if (prop != null) {
        check(prop, f.getValue(), p, errors);
      } else if (additional.isObject()) {
        check(additional, f.getValue(), p, errors);
      } else if (!preserve && !additional.asBoolean(false)) {
        errors.add(p + ": unknown field");
      }
    }
  }

  private void array(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (!value.isArray()) {
      errors.add(path + ": must be an array, is " + value.getNodeType());
      return;
    }
    bound(schema, "minItems", value.size(), path, errors, true);
    bound(schema, "maxItems", value.size(), path, errors, false);
    for (int i = 0; i < value.size(); i++) {
      if (schema.has("items")) {
        check(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
      }
    }
    String listType = schema.path("x-kubernetes-list-type").asText("atomic");
    if (listType.equals("set") || listType.equals("map")) {
      Set<String> seen = new HashSet<>();
      for (JsonNode item : value) {
        String key = listType.equals("set") ? item.toString() : mapKey(schema, item);
        if (!seen.add(key)) {
          errors.add(path + ": duplicate " + listType + " entry " + key);
        }
      }
    }
  }

  private static String mapKey(JsonNode schema, JsonNode item) {
    StringBuilder key = new StringBuilder();
    for (JsonNode k : schema.path("x-kubernetes-list-map-keys")) {
      key.append(k.asText()).append('=').append(item.path(k.asText())).append(';');
    }
    return key.toString();
  }

  private static void string(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (!value.isTextual()) {
      errors.add(path + ": must be a string, is " + value);
      return;
    }
    String s = value.asText();
    bound(schema, "minLength", s.length(), path, errors, true);
    bound(schema, "maxLength", s.length(), path, errors, false);
    if (schema.has("pattern")
        && !Pattern.compile(schema.path("pattern").asText()).matcher(s).find()) {
      errors.add(path + ": \"" + s + "\" does not match " + schema.path("pattern").asText());
    }
  }

  private static void number(
      JsonNode schema, JsonNode value, boolean typeOk, String path, List<String> errors) {
    if (!typeOk) {
      errors.add(path + ": must be " + schema.path("type").asText() + ", is " + value);
      return;
    }
    if (schema.has("minimum") && value.asDouble() < schema.path("minimum").asDouble()) {
      errors.add(path + ": " + value + " is below the minimum " + schema.path("minimum"));
    }
    if (schema.has("maximum") && value.asDouble() > schema.path("maximum").asDouble()) {
      errors.add(path + ": " + value + " is above the maximum " + schema.path("maximum"));
    }
  }

  private void combinators(JsonNode schema, JsonNode value, String path, List<String> errors) {
    for (JsonNode sub : schema.path("allOf")) {
      check(sub, value, path, errors);
    }
    if (schema.has("anyOf") || schema.has("oneOf")) {
      boolean one = schema.has("oneOf");
      int matching = 0;
      for (JsonNode sub : schema.path(one ? "oneOf" : "anyOf")) {
        List<String> subErrors = new ArrayList<>();
        check(sub, value, path, subErrors);
        matching += subErrors.isEmpty() ? 1 : 0;
      }
      if (matching == 0 || (one && matching > 1)) {
        errors.add(
            path + ": matches " + matching + " of the " + (one ? "oneOf" : "anyOf") + " schemas");
      }
    }
  }

  private static void bound(
      JsonNode schema, String key, int actual, String path, List<String> errors, boolean min) {
    if (schema.has(key)) {
      int limit = schema.path(key).asInt();
      if (min ? actual < limit : actual > limit) {
        errors.add(path + ": " + key + " " + limit + " violated (" + actual + ")");
      }
    }
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
