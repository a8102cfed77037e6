package dev.cairn.operator.monitoring.model;

import dev.cairn.api.ResourceNames;
import dev.cairn.api.v1alpha1.AlertsSpec;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the Prometheus Operator PrometheusRule holding an LLMDeployment's alerts. */
public final class PrometheusRuleBuilder {
  public static final String API_VERSION = "monitoring.coreos.com/v1";
  public static final String KIND = "PrometheusRule";

  private PrometheusRuleBuilder() {}

  /** The rule group's name: one group per LLMDeployment. */
  public static String groupName(LLMDeployment llmd) {
    return "cairn-" + MonitoringMetadata.name(llmd);
  }

  /** The desired PrometheusRule; a pure function of the resource. */
  public static GenericKubernetesResource build(LLMDeployment llmd) {
    AlertsSpec alerts = MonitoringMetadata.monitoring(llmd).getAlerts();
    Map<String, String> userLabels = alerts != null ? alerts.getLabels() : null;
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion(API_VERSION);
    resource.setKind(KIND);
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName(ResourceNames.prometheusRule(MonitoringMetadata.name(llmd)))
            .withNamespace(MonitoringMetadata.namespace(llmd))
            .withLabels(MonitoringMetadata.labels(llmd, userLabels))
            .withOwnerReferences(MonitoringMetadata.ownerReference(llmd))
            .build());
    resource.setAdditionalProperty("spec", Map.of("groups", List.of(group(llmd))));
    return resource;
  }

  /**
   * The rule group, the same map a Prometheus rule file holds under `groups:` (what promtool
   * checks).
   */
  public static Map<String, Object> group(LLMDeployment llmd) {
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", groupName(llmd));
    List<Map<String, Object>> rules = new ArrayList<>();
    CairnAlerts.recordingRules(llmd).forEach(r -> rules.add(r.toMap()));
    CairnAlerts.rules(llmd).forEach(r -> rules.add(r.toMap()));
    group.put("rules", rules);
    return group;
  }
}
