package dev.cairn.operator.monitoring.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.ResourceNames;
import dev.cairn.api.v1alpha1.DashboardSpec;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the ConfigMap that carries an LLMDeployment's Grafana dashboard to the Grafana sidecar,
 * either beside the resource (owned) or in a shared Grafana namespace (cleaned up by finalizer).
 */
public final class DashboardConfigMapBuilder {
  /** On a shared-namespace ConfigMap: the owner's namespace (owner references cannot cross). */
  public static final String LABEL_OWNER_NAMESPACE = CairnNames.GROUP + "/owner-namespace";

  /** On a shared-namespace ConfigMap: the owner's name. */
  public static final String LABEL_OWNER_NAME = CairnNames.GROUP + "/owner-name";

  private final DashboardTemplate template;

  public DashboardConfigMapBuilder(DashboardTemplate template) {
    this.template = Objects.requireNonNull(template, "template");
  }

  /** A builder over the LLM dashboard the build put on the classpath. */
  public static DashboardConfigMapBuilder fromClasspath() {
    return new DashboardConfigMapBuilder(DashboardTemplate.llm());
  }

  /**
   * The desired ConfigMap. With {@code grafanaNamespace} null or blank it lives in the resource's
   * namespace, owned by it; otherwise in that namespace, named after both, labelled with the owner.
   */
  public ConfigMap build(LLMDeployment llmd, String grafanaNamespace) {
    String name = MonitoringMetadata.name(llmd);
    String namespace = MonitoringMetadata.namespace(llmd);
    DashboardSpec spec = MonitoringMetadata.monitoring(llmd).getDashboard();
    Map<String, String> userLabels =
        spec != null ? spec.getLabels() : new DashboardSpec().getLabels();
    boolean shared = grafanaNamespace != null && !grafanaNamespace.isBlank();

    ObjectMetaBuilder meta =
        new ObjectMetaBuilder().withLabels(MonitoringMetadata.labels(llmd, userLabels));
    if (shared) {
      meta.withName(ResourceNames.sharedDashboardConfigMap(namespace, name))
          .withNamespace(grafanaNamespace)
          .addToLabels(LABEL_OWNER_NAMESPACE, namespace)
          .addToLabels(LABEL_OWNER_NAME, name);
    } else {
      meta.withName(ResourceNames.dashboardConfigMap(name))
          .withNamespace(namespace)
          .withOwnerReferences(MonitoringMetadata.ownerReference(llmd));
    }
    String json =
        DashboardTemplate.toJson(template.forDeployment(namespace, name, llmd.effectiveModelId()));
    return new ConfigMapBuilder()
        .withMetadata(meta.build())
        .withData(Map.of(dataKey(template.uid(), namespace, name), json))
        .build();
  }

  /**
   * The sidecar writes every ConfigMap key as a file into one folder: keys must be unique across
   * deployments, or their dashboards overwrite each other.
   */
  static String dataKey(String uid, String namespace, String name) {
    return uid + "-" + namespace + "-" + name + ".json";
  }
}
