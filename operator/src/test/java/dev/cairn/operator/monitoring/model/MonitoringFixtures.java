package dev.cairn.operator.monitoring.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Sample LLMDeployments under src/test/resources/fixtures/monitoring/ and YAML helpers. */
final class MonitoringFixtures {
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** qwen in llm: autoscaling 1..4, engine metrics on, custom labels and thresholds. */
  static final String AUTOSCALED = "autoscaled";

  /** tiny in default: engine metrics off, fixed replicas, monitoring defaults. */
  static final String MINIMAL = "minimal";

  private MonitoringFixtures() {}

  static LLMDeployment load(String name) {
    String resource = "fixtures/monitoring/" + name + ".yaml";
    try (InputStream in = MonitoringFixtures.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("fixture " + resource + " is missing");
      }
      return SERIALIZATION.unmarshal(in, LLMDeployment.class);
    } catch (IOException e) {
      throw new UncheckedIOException(resource, e);
    }
  }

  static String yaml(Object o) {
    return SERIALIZATION.asYaml(o);
  }

  static JsonNode tree(Object o) {
    return SERIALIZATION.convertValue(o, JsonNode.class);
  }
}
