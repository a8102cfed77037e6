package dev.cairn.operator.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code cairn-usage-stats} ConfigMap in the operator's namespace: {@code report.json} is
 * exactly what would be sent; {@code workers.json} is the operator's memory of what workers said,
 * per LLMDeployment uid, so that a restart or a scale-down forgets nothing (never sent).
 */
public final class UsageConfigMap {
  /** The ConfigMap's name. */
  public static final String NAME = "cairn-usage-stats";

  /** The key holding the report. */
  public static final String REPORT_KEY = "report.json";

  /** The key holding {@link KnownFacts}, per LLMDeployment uid. */
  public static final String WORKERS_KEY = "workers.json";

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final KubernetesClient client;
  private final String namespace;

  public UsageConfigMap(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Where it lives, for the log. */
  public String where() {
    return namespace + "/" + NAME;
  }

  /** The cluster id kept in the ConfigMap, or a new random one when there is none yet. */
  public String clusterId() {
    return data(REPORT_KEY)
        .flatMap(json -> read(json, new TypeReference<Map<String, Object>>() {}))
        .map(report -> report.get("clusterId"))
        .map(String::valueOf)
        .orElseGet(() -> UUID.randomUUID().toString());
  }

  /** The facts persisted by an earlier run; empty when none or unreadable. */
  public Map<String, KnownFacts.Entry> workers() {
    return data(WORKERS_KEY)
        .flatMap(json -> read(json, new TypeReference<Map<String, KnownFacts.Entry>>() {}))
        .orElse(Map.of());
  }

  /** Writes the report and the facts, creating the ConfigMap when missing. */
  public void write(String reportJson, Map<String, KnownFacts.Entry> workers) {
    ConfigMap desired =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(NAME)
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "cairn-operator")
            .endMetadata()
            .addToData(REPORT_KEY, reportJson)
            .addToData(WORKERS_KEY, toJson(workers))
            .build();
    if (resource().get() == null) {
      client.configMaps().inNamespace(namespace).resource(desired).create();
    } else {
      resource().edit(cm -> new ConfigMapBuilder(cm).withData(desired.getData()).build());
    }
  }

  /** Removes the ConfigMap (opt-out); true when there was one. */
  public boolean delete() {
    return !resource().delete().isEmpty();
  }

  /** The report as the JSON written and sent. */
  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("usage report not serializable", e);
    }
  }

  private Optional<String> data(String key) {
    ConfigMap cm = resource().get();
    return cm == null || cm.getData() == null
        ? Optional.empty()
        : Optional.ofNullable(cm.getData().get(key));
  }

  private static <T> Optional<T> read(String json, TypeReference<T> type) {
    try {
      return Optional.ofNullable(JSON.readValue(json, type));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private Resource<ConfigMap> resource() {
    return client.configMaps().inNamespace(namespace).withName(NAME);
  }
}
