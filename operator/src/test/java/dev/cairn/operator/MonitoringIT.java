package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.testing.CrdSchemaValidator;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.monitoring.MonitoringCrds;
import dev.cairn.operator.monitoring.model.DashboardConfigMapBuilder;
import dev.cairn.operator.monitoring.model.PrometheusRuleBuilder;
import dev.cairn.operator.monitoring.model.ServiceMonitorBuilder;
import dev.cairn.operator.testing.ConflictRetry;
import dev.cairn.operator.testing.WorkerConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Monitoring wired by the operator against the mock API server: ServiceMonitor, PrometheusRule and
 * dashboard ConfigMap with the builders' content, the CRDs appearing late, the finalizer, toggles.
 * Shares the Quarkus app of the other operator ITs, where {@code cairn.grafana-namespace} is set.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringIT {
  static final String GRAFANA_NAMESPACE = "cairn-grafana";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final ResourceDefinitionContext SERVICE_MONITORS =
      PrometheusOperatorObjects.SERVICE_MONITORS;
  private static final ResourceDefinitionContext PROMETHEUS_RULES =
      PrometheusOperatorObjects.PROMETHEUS_RULES;

  /** The alerts on engine metrics, present only while logEngineMetrics is on. */
  private static final String ENGINE_ALERT = "CairnSlowTimeToFirstToken";

  @Inject KubernetesClient client;

  private PrometheusOperatorObjects crds;

  @BeforeEach
  void crds() {
    crds = new PrometheusOperatorObjects(client);
  }

  private static String spec(String extra) {
    return """
        spec:
          model: {id: tiny, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          replicas: 1
          engine: {kvCacheMemory: 64Mi}
          autoscaling: {minReplicas: 1, maxReplicas: 3}
        """
        + extra;
  }

  /**
   * First, on the class's fresh mock server, so the CRDs are missing from the operator's start as
   * on a cluster without the Prometheus Operator. Run after a test had installed them, the delete
   * of the CRDs was sometimes never seen by the operator's informer on the mock server (twice in
   * this session's runs), and the condition never changed.
   */
  @Test
  @Order(1)
  void objectsAppearWhenTheCrdsAreInstalledLater() {
    removeCrds();
    OperatorHarness h = new OperatorHarness(client, "mon-late");
    h.create("tiny", spec(""));
    Condition missing =
        h.awaitCondition(
            "tiny", Conditions.MONITORING_READY, "False", Reason.SERVICE_MONITOR_CRD_MISSING);
    assertThat(missing.getMessage()).contains("Prometheus Operator CRDs", "kube-prometheus-stack");
    // The dashboard needs no CRD: it is there already.
    await().atMost(OperatorHarness.WAIT).until(() -> dashboard(h, "tiny").isPresent());

    crds.installCrd("servicemonitors");
    h.awaitCondition(
        "tiny", Conditions.MONITORING_READY, "False", Reason.PROMETHEUS_RULE_CRD_MISSING);
    await()
        .atMost(OperatorHarness.WAIT)
        .until(() -> crds.get(SERVICE_MONITORS, h.namespace, "tiny").isPresent());

    crds.installCrd("prometheusrules");
    h.awaitCondition("tiny", Conditions.MONITORING_READY, "True", Reason.MONITORING_CONFIGURED);
    assertThat(crds.get(PROMETHEUS_RULES, h.namespace, "tiny")).isPresent();
  }

  @Test
  void createsTheBuildersObjectsValidAgainstThePrometheusOperatorSchema() {
    crds.installCrds();
    OperatorHarness h = new OperatorHarness(client, "mon-content");
    h.create(
        "tiny",
        spec(
            """
              monitoring:
                serviceMonitor: {interval: 30s, labels: {release: kube-prometheus-stack}}
                alerts: {errorRate: 0.02}
            """));
    h.awaitCondition("tiny", Conditions.MONITORING_READY, "True", Reason.MONITORING_CONFIGURED);
    LLMDeployment live = h.get("tiny");
    String uid = live.getMetadata().getUid();

    GenericKubernetesResource sm = crds.await(SERVICE_MONITORS, h.namespace, "tiny");
    GenericKubernetesResource pr = crds.await(PROMETHEUS_RULES, h.namespace, "tiny");
    assertThat(tree(sm).path("spec"))
        .isEqualTo(tree(ServiceMonitorBuilder.build(live)).path("spec"));
    assertThat(tree(pr).path("spec"))
        .isEqualTo(tree(PrometheusRuleBuilder.build(live)).path("spec"));
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    assertThat(schema("servicemonitors").validate(tree(sm))).isEmpty();
    assertThat(schema("prometheusrules").validate(tree(pr))).isEmpty();
    for (GenericKubernetesResource owned : List.of(sm, pr)) {
      assertThat(owned.getMetadata().getOwnerReferences())
          .singleElement()
          .returns(uid, OwnerReference::getUid)
          .returns(true, OwnerReference::getController);
    }

    ConfigMap cm = dashboard(h, "tiny").orElseThrow();
    ConfigMap expected = DashboardConfigMapBuilder.fromClasspath().build(live, GRAFANA_NAMESPACE);
    assertThat(cm.getMetadata().getName()).isEqualTo(h.namespace + "-tiny-dashboard");
    assertThat(cm.getData()).isEqualTo(expected.getData());
    assertThat(cm.getMetadata().getLabels())
        .containsAllEntriesOf(expected.getMetadata().getLabels());
    assertThat(cm.getMetadata().getOwnerReferences()).isEmpty();

    client.resources(LLMDeployment.class).inNamespace(h.namespace).withName("tiny").delete();
    await().atMost(OperatorHarness.WAIT).until(() -> h.get("tiny") == null);
    assertThat(dashboard(h, "tiny")).isEmpty();
  }

  @Test
  void engineMetricsToggleRollsOutAndDisablingRemovesObjects() {
    crds.installCrds();
    OperatorHarness h = new OperatorHarness(client, "mon-toggle");
    h.create("tiny", spec(""));
    h.awaitCondition("tiny", Conditions.MONITORING_READY, "True", Reason.MONITORING_CONFIGURED);
    await().atMost(OperatorHarness.WAIT).until(() -> alertNames(h).contains(ENGINE_ALERT));
    PodTemplateSpec before = h.deployment("tiny").orElseThrow().getSpec().getTemplate();
    assertThat(WorkerConfig.of(before)).contains("\"logEngineMetrics\":true");

    edit(
        h,
        l -> {
          l.getSpec().setLogEngineMetrics(false);
          return l;
        });
    Deployment rolled =
        h.awaitDeployment(
            "tiny",
            d -> WorkerConfig.of(d.getSpec().getTemplate()).contains("\"logEngineMetrics\":false"));
    assertThat(rolled.getSpec().getTemplate()).isNotEqualTo(before);
    await().atMost(OperatorHarness.WAIT).until(() -> !alertNames(h).contains(ENGINE_ALERT));
    assertThat(alertNames(h)).contains("CairnHighErrorRate", "CairnNoReadyReplica");

    edit(
        h,
        l -> {
          l.getSpec().getMonitoring().getAlerts().setEnabled(false);
          l.getSpec().getMonitoring().getDashboard().setEnabled(false);
          return l;
        });
    await()
        .atMost(OperatorHarness.WAIT)
        .until(
            () ->
                crds.get(PROMETHEUS_RULES, h.namespace, "tiny").isEmpty()
                    && dashboard(h, "tiny").isEmpty());
    assertThat(crds.get(SERVICE_MONITORS, h.namespace, "tiny")).isPresent();

    edit(
        h,
        l -> {
          l.getSpec().getMonitoring().getServiceMonitor().setEnabled(false);
          return l;
        });
    h.awaitCondition("tiny", Conditions.MONITORING_READY, "False", Reason.MONITORING_DISABLED);
    await()
        .atMost(OperatorHarness.WAIT)
        .until(() -> crds.get(SERVICE_MONITORS, h.namespace, "tiny").isEmpty());
  }

  private void edit(OperatorHarness h, UnaryOperator<LLMDeployment> change) {
    ConflictRetry.edit(
        client.resources(LLMDeployment.class).inNamespace(h.namespace).withName("tiny"), change);
  }

  private List<String> alertNames(OperatorHarness h) {
    return crds.get(PROMETHEUS_RULES, h.namespace, "tiny")
        .map(pr -> tree(pr).at("/spec/groups/0/rules").findValuesAsText("alert"))
        .orElse(List.of());
  }

  private Optional<ConfigMap> dashboard(OperatorHarness h, String name) {
    return Optional.ofNullable(
        client
            .configMaps()
            .inNamespace(GRAFANA_NAMESPACE)
            .withName(h.namespace + "-" + name + "-dashboard")
            .get());
  }

  private void removeCrds() {
    for (String crd : MonitoringCrds.NAMES) {
      client.apiextensions().v1().customResourceDefinitions().withName(crd).delete();
    }
    await()
        .atMost(OperatorHarness.WAIT)
        .until(
            () ->
                MonitoringCrds.NAMES.stream()
                    .allMatch(
                        n ->
                            client
                                    .apiextensions()
                                    .v1()
                                    .customResourceDefinitions()
                                    .withName(n)
                                    .get()
                                == null));
  }

  private static CrdSchemaValidator schema(String plural) {
    return CrdSchemaValidator.fromClasspath(PrometheusOperatorObjects.CRD_DIR + plural + ".yaml");
  }

  private static JsonNode tree(Object o) {
    return JSON.convertValue(o, JsonNode.class);
  }
}
