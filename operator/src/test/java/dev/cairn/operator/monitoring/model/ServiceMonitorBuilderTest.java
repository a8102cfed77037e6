package dev.cairn.operator.monitoring.model;

import static dev.cairn.operator.monitoring.model.MonitoringFixtures.AUTOSCALED;
import static dev.cairn.operator.monitoring.model.MonitoringFixtures.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.testing.CrdSchemaValidator;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.testing.GoldenFiles;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceMonitorBuilderTest {
  private static final CrdSchemaValidator CRD =
      CrdSchemaValidator.fromClasspath(
          "crds/prometheus-operator/monitoring.coreos.com_servicemonitors.yaml");

  @ParameterizedTest
  @ValueSource(strings = {AUTOSCALED, MINIMAL})
  void matchesGoldenFile(String fixture) {
    GenericKubernetesResource sm = ServiceMonitorBuilder.build(MonitoringFixtures.load(fixture));
    GoldenFiles.assertMatches(
        "monitoring/servicemonitor-" + fixture + ".yaml", MonitoringFixtures.yaml(sm));
  }

  @ParameterizedTest
  @ValueSource(strings = {AUTOSCALED, MINIMAL})
  void validatesAgainstPrometheusOperatorCrd(String fixture) {
    GenericKubernetesResource sm = ServiceMonitorBuilder.build(MonitoringFixtures.load(fixture));
    assertThat(CRD.validate(MonitoringFixtures.tree(sm))).isEmpty();
  }

  @Test
  void relabelsServiceInstanceIntoDeploymentAndScrapesTheWorkerPort() {
    JsonNode sm =
        MonitoringFixtures.tree(ServiceMonitorBuilder.build(MonitoringFixtures.load(AUTOSCALED)));
    JsonNode endpoint = sm.at("/spec/endpoints/0");
    assertThat(endpoint.path("port").asText()).isEqualTo("http");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    assertThat(endpoint.path("interval").asText()).isEqualTo("30s");
    assertThat(endpoint.at("/relabelings/0/sourceLabels/0").asText())
        .isEqualTo("__meta_kubernetes_service_label_app_kubernetes_io_instance");
    assertThat(endpoint.at("/relabelings/0/targetLabel").asText()).isEqualTo("deployment");
    assertThat(endpoint.at("/relabelings/1/targetLabel").asText()).isEqualTo("pod");
    assertThat(sm.at("/spec/selector/matchLabels"))
        .hasToString(
            "{\"app.kubernetes.io/name\":\"cairn-worker\",\"app.kubernetes.io/instance\":\"qwen\"}");
    assertThat(sm.at("/metadata/ownerReferences/0/uid").asText())
        .isEqualTo("6f1c1c5e-2a57-4f0e-9d8e-0c6b3f1f2a11");
  }

  /**
   * A scale-to-zero deployment's Service has no selector and an operator-written EndpointSlice,
   * which Endpoints-based discovery never sees; every other keeps Prometheus's own default.
   */
  @Test
  void scaleToZeroDeploymentsAreDiscoveredThroughEndpointSlices() throws Exception {
    LLMDeployment toZero =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            getClass().getResourceAsStream("/fixtures/to-zero.yaml"), LLMDeployment.class);
    JsonNode sm = MonitoringFixtures.tree(ServiceMonitorBuilder.build(toZero));
    assertThat(sm.at("/spec/serviceDiscoveryRole").asText()).isEqualTo("EndpointSlice");
    assertThat(CRD.validate(sm)).isEmpty();
    JsonNode plain =
        MonitoringFixtures.tree(ServiceMonitorBuilder.build(MonitoringFixtures.load(AUTOSCALED)));
    assertThat(plain.at("/spec/serviceDiscoveryRole").isMissingNode()).isTrue();
  }

  @Test
  void userLabelsAreAddedButCannotReplaceCairnLabels() {
    LLMDeployment llmd = MonitoringFixtures.load(AUTOSCALED);
    llmd.getSpec()
        .getMonitoring()
        .getServiceMonitor()
        .setLabels(Map.of("release", "prom", "app.kubernetes.io/instance", "someone-else"));
    Map<String, String> labels = ServiceMonitorBuilder.build(llmd).getMetadata().getLabels();
    assertThat(labels)
        .containsEntry("release", "prom")
        .containsEntry("app.kubernetes.io/instance", "qwen")
        .containsEntry("app.kubernetes.io/managed-by", "cairn-operator");
  }

  @Test
  void invalidModelIdBecomesAValidLabelValue() {
    Map<String, String> labels =
        ServiceMonitorBuilder.build(MonitoringFixtures.load(MINIMAL)).getMetadata().getLabels();
    assertThat(labels).containsEntry("llm.cairn.dev/model", "Qwen_Qwen2.5-0.5B-Instruct");
  }

  @Test
  void missingNamespaceIsAClearError() {
    LLMDeployment llmd = MonitoringFixtures.load(MINIMAL);
    llmd.getMetadata().setNamespace(null);
    assertThatThrownBy(() -> ServiceMonitorBuilder.build(llmd))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata.namespace");
  }

  @Test
  void crdValidatorRejectsAnIntervalPrometheusCannotParse() {
    // Guards the validator itself: the same object with a broken interval must not pass.
    ObjectNode sm =
        (ObjectNode)
            MonitoringFixtures.tree(ServiceMonitorBuilder.build(MonitoringFixtures.load(MINIMAL)));
    ((ObjectNode) sm.at("/spec/endpoints/0")).put("interval", "soon");
    assertThat(CRD.validate(sm)).singleElement().asString().contains("spec.endpoints[0].interval");
  }
}
