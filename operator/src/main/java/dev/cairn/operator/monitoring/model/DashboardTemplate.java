package dev.cairn.operator.monitoring.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The Cairn LLM Grafana dashboard (dashboards/cairn-llm.json), specialised per deployment. */
public final class DashboardTemplate {
  /** Where the build copies dashboards/cairn-llm.json onto the operator's classpath. */
  public static final String LLM_RESOURCE = "dashboards/cairn-llm.json";

  /** Grafana rejects longer dashboard uids. */
  static final int MAX_UID = 40;

  private static final Pattern UID_CHARS = Pattern.compile("[A-Za-z0-9_-]+");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ObjectNode template;
  private final String source;

  private DashboardTemplate(ObjectNode template, String source) {
    this.template = template;
    this.source = source;
  }

  /** Loads the LLM dashboard from the classpath. */
  public static DashboardTemplate llm() {
    return fromClasspath(LLM_RESOURCE);
  }

  /** Loads a dashboard from a classpath resource; a missing or broken one names the resource. */
  public static DashboardTemplate fromClasspath(String resource) {
    ClassLoader loader = DashboardTemplate.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Grafana dashboard " + resource + " is not on the classpath (the build copies it)");
      }
      return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read Grafana dashboard " + resource, e);
    }
  }

  /** Parses dashboard JSON; {@code source} names it in errors. */
  public static DashboardTemplate fromJson(String json, String source) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (!(node instanceof ObjectNode obj) || !obj.path("templating").path("list").isArray()) {
        throw new IllegalStateException(
            "Grafana dashboard " + source + " is not a dashboard object with templating.list");
      }
      return new DashboardTemplate(obj, source);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "Grafana dashboard " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The dashboard's own uid (e.g. cairn-llm). */
  public String uid() {
    return template.path("uid").asText();
  }

  /**
   * A copy opened on this deployment: namespace, deployment and model preselected, its own title
   * and uid (several deployments' dashboards live side by side in one Grafana).
   */
  public ObjectNode forDeployment(String namespace, String name, String modelId) {
    ObjectNode d = template.deepCopy();
    d.put("uid", deploymentUid(uid(), namespace, name));
    d.put("title", template.path("title").asText() + " / " + namespace + "/" + name);
    ArrayNode variables = (ArrayNode) d.path("templating").path("list");
    for (JsonNode v : variables) {
      String value =
          switch (v.path("name").asText()) {
            case "namespace" -> namespace;
            case "deployment" -> name;
            case "model_name" -> modelId;
            default -> null;
          };
      if (value != null) {
        select((ObjectNode) v, value);
      }
    }
    return d;
  }

  /** The dashboard as compact JSON. */
  public static String toJson(ObjectNode dashboard) {
    try {
      return MAPPER.writeValueAsString(dashboard);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise a Grafana dashboard", e);
    }
  }

  String source() {
    return source;
  }

  private static void select(ObjectNode variable, String value) {
    ObjectNode current = MAPPER.createObjectNode();
    current.put("selected", true);
    if (variable.path("multi").asBoolean()) {
      current.putArray("text").add(value);
      current.putArray("value").add(value);
    } else {
      current.put("text", value);
      current.put("value", value);
    }
    variable.set("current", current);
  }

  /** Readable when it fits Grafana's 40 characters, otherwise a stable hash of namespace/name. */
  static String deploymentUid(String base, String namespace, String name) {
    String readable = base + "-" + namespace + "-" + name;
    if (readable.length() <= MAX_UID && UID_CHARS.matcher(readable).matches()) {
      return readable;
    }
    String prefix = base + "-";
    String hash = sha256Hex(namespace + "/" + name);
    return prefix + hash.substring(0, Math.min(hash.length(), MAX_UID - prefix.length()));
  }

  private static String sha256Hex(String s) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
