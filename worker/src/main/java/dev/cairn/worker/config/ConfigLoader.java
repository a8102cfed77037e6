package dev.cairn.worker.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.validation.SpecValidator;
import dev.cairn.api.v1alpha1.validation.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the worker's configuration, in order of precedence: {@code --config FILE} (an LLMDeployment
 * YAML), env {@code CAIRN_CONFIG} (the spec as JSON, written by the operator), or the embedded
 * default (the tiny CPU sample). Every form goes through the same parsing and the same {@link
 * SpecValidator}, so a file behaves exactly like the operator's env.
 */
public final class ConfigLoader {
  /** Classpath copy of {@code deploy/samples/tiny-cpu.yaml}, bundled by the worker's build. */
  public static final String DEFAULT_RESOURCE = "cairn/tiny-cpu.yaml";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Map<String, String> env;

  /**
   * @param env the process environment (a map in tests)
   */
  public ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** Loads from the file when given, else {@code CAIRN_CONFIG}, else the embedded default. */
  public WorkerConfig load(Optional<Path> configFile) {
    if (configFile.isPresent()) {
      return fromFile(configFile.get());
    }
    String json = env.get(CairnNames.ENV_CONFIG);
    if (json != null && !json.isBlank()) {
      return parse(json, "env " + CairnNames.ENV_CONFIG);
    }
    return fromResource(DEFAULT_RESOURCE);
  }

  /** Loads an LLMDeployment YAML (or JSON) file. */
  public WorkerConfig fromFile(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  private WorkerConfig fromResource(String resource) {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new ConfigException("embedded default config " + resource + " is missing");
      }
      return parse(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
          "embedded default " + resource);
    } catch (IOException e) {
      throw new ConfigException("cannot read embedded default " + resource, e);
    }
  }

  /**
   * Parses a document that is either a whole LLMDeployment ({@code apiVersion}, {@code kind},
   * {@code metadata}, {@code spec}) or a bare spec ({@code model}, {@code accelerator}, ...). YAML
   * is a superset of JSON, so one parser serves both.
   */
  public WorkerConfig parse(String text, String origin) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(origin + ": not valid YAML/JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(origin + ": expected an LLMDeployment or its spec as an object");
    }
    String name = null;
    JsonNode specNode = root;
    String prefix = "spec.";
    if (root.has("spec") || root.has("kind")) {
      checkKind(root, origin);
      name = root.path("metadata").path("name").asText(null);
      specNode = root.path("spec");
      if (!specNode.isObject()) {
        throw new ConfigException(origin + ": spec: is required and must be an object");
      }
    }
    LLMDeploymentSpec spec = bind((ObjectNode) specNode, origin, prefix);
    List<Violation> violations = SpecValidator.anyAccelerator().validate(spec, name);
    if (!violations.isEmpty()) {
      throw new ConfigException(origin + ": invalid spec: " + SpecValidator.describe(violations));
    }
    return new WorkerConfig(
        spec,
        modelId(spec, name),
        origin,
        nonBlank(env.get(CairnNames.ENV_API_KEY))
            .map(keys -> ApiKeys.parse(keys, "env " + CairnNames.ENV_API_KEY))
            .orElse(ApiKeys.NONE),
        nonBlank(env.get(CairnNames.ENV_HF_TOKEN)),
        modelCache());
  }

  private static void checkKind(JsonNode root, String origin) {
    String kind = root.path("kind").asText(CairnNames.KIND);
    if (!CairnNames.KIND.equals(kind)) {
      throw new ConfigException(origin + ": kind is \"" + kind + "\", expected " + CairnNames.KIND);
    }
    String apiVersion = root.path("apiVersion").asText(CairnNames.API_VERSION);
    if (!CairnNames.API_VERSION.equals(apiVersion)) {
      throw new ConfigException(
          origin + ": apiVersion is \"" + apiVersion + "\", expected " + CairnNames.API_VERSION);
    }
  }

  private static LLMDeploymentSpec bind(ObjectNode specNode, String origin, String prefix) {
    try {
      return YAML.treeToValue(specNode, LLMDeploymentSpec.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          origin + ": " + prefix + path(e) + ": unknown field; known: " + e.getKnownPropertyIds());
    } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
      throw new ConfigException(origin + ": " + prefix + path(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(origin + ": " + e.getOriginalMessage());
    }
  }

  /** The JSON path of a binding error, e.g. {@code engine.maxNumSeqs}. */
  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /**
   * spec.model.id, else the resource name, else the source's last path segment (vLLM serves a model
   * under the name it was loaded from).
   */
  static String modelId(LLMDeploymentSpec spec, String resourceName) {
    String id = spec.getModel().getId();
    if (id != null && !id.isBlank()) {
      return id;
    }
    if (resourceName != null && !resourceName.isBlank()) {
      return resourceName;
    }
    String source = spec.getModel().getSource();
    if (source.startsWith("hf://")) {
      String repo = source.substring("hf://".length());
      int at = repo.indexOf('@');
      return at < 0 ? repo : repo.substring(0, at);
    }
    String path = source.substring(source.indexOf(':') + 1).replaceAll("/+$", "");
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private Path modelCache() {
    return nonBlank(env.get(CairnNames.ENV_MODEL_CACHE))
        .map(Path::of)
        .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cache", "cairn", "models"));
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
  }
}
