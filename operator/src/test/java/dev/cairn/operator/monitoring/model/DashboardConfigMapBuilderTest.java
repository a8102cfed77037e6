package dev.cairn.operator.monitoring.model;

import static dev.cairn.operator.monitoring.model.MonitoringFixtures.AUTOSCALED;
import static dev.cairn.operator.monitoring.model.MonitoringFixtures.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.testing.GoldenFiles;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DashboardConfigMapBuilderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DashboardConfigMapBuilder BUILDER =
      DashboardConfigMapBuilder.fromClasspath();

  @Test
  void ownedConfigMapMatchesGoldenFile() throws Exception {
    ConfigMap cm = BUILDER.build(MonitoringFixtures.load(AUTOSCALED), null);
    GoldenFiles.assertMatches("monitoring/dashboard-configmap-owned.yaml", summarised(cm));
  }

  @Test
  void sharedConfigMapMatchesGoldenFile() throws Exception {
    ConfigMap cm = BUILDER.build(MonitoringFixtures.load(MINIMAL), "monitoring");
    GoldenFiles.assertMatches("monitoring/dashboard-configmap-shared.yaml", summarised(cm));
  }

  @Test
  void ownedConfigMapLivesBesideTheResource() {
    ConfigMap cm = BUILDER.build(MonitoringFixtures.load(AUTOSCALED), " ");
    assertThat(cm.getMetadata().getName()).isEqualTo("qwen-dashboard");
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("llm");
    assertThat(cm.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("LLMDeployment");
              assertThat(o.getController()).isTrue();
            });
    assertThat(cm.getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "1")
        .containsEntry("team", "ml")
        .containsEntry("app.kubernetes.io/instance", "qwen");
  }

  @Test
  void sharedConfigMapIsLabelledWithItsOwnerInsteadOfOwned() {
    ConfigMap cm = BUILDER.build(MonitoringFixtures.load(MINIMAL), "monitoring");
    assertThat(cm.getMetadata().getName()).isEqualTo("default-tiny-dashboard");
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(cm.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(cm.getMetadata().getLabels())
        .containsEntry(DashboardConfigMapBuilder.LABEL_OWNER_NAMESPACE, "default")
        .containsEntry(DashboardConfigMapBuilder.LABEL_OWNER_NAME, "tiny")
        .containsEntry("grafana_dashboard", "1");
  }

  @Test
  void dashboardOpensOnThisDeploymentAndKeepsEveryPanel() throws Exception {
    ConfigMap cm = BUILDER.build(MonitoringFixtures.load(AUTOSCALED), null);
    assertThat(cm.getData()).containsOnlyKeys("cairn-llm-llm-qwen.json");
    JsonNode d = JSON.readTree(cm.getData().get("cairn-llm-llm-qwen.json"));
    JsonNode template = DashboardQueries.load(DashboardTemplate.LLM_RESOURCE);
    assertThat(d.path("uid").asText()).isEqualTo("cairn-llm-llm-qwen");
    assertThat(d.path("title").asText()).isEqualTo("Cairn LLM / llm/qwen");
    assertThat(d.path("panels")).isEqualTo(template.path("panels"));
    assertThat(variable(d, "namespace").path("current").path("value")).hasToString("[\"llm\"]");
    assertThat(variable(d, "deployment").path("current").path("value")).hasToString("[\"qwen\"]");
    assertThat(variable(d, "model_name").path("current").path("value"))
        .hasToString("[\"qwen-0.5b\"]");
    assertThat(variable(d, "interval")).isEqualTo(variable(template, "interval"));
  }

  @Test
  void uidsStayWithinGrafanaLimitsAndDifferPerDeployment() {
    String a =
        DashboardTemplate.deploymentUid(
            "cairn-llm", "a-rather-long-namespace-name", "a-rather-long-deployment");
    String b =
        DashboardTemplate.deploymentUid(
            "cairn-llm", "a-rather-long-namespace-name", "another-long-deployment");
    assertThat(a).hasSizeLessThanOrEqualTo(40).matches("[a-z0-9-]+").startsWith("cairn-llm-");
    assertThat(b).hasSizeLessThanOrEqualTo(40).isNotEqualTo(a);
    assertThat(
            DashboardTemplate.deploymentUid(
                "cairn-llm", "a-rather-long-namespace-name", "a-rather-long-deployment"))
        .isEqualTo(a);
  }

  @Test
  void brokenTemplateNamesItsSource() {
    assertThatThrownBy(() -> DashboardTemplate.fromJson("{\"panels\": [", "dashboards/broken.json"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dashboards/broken.json");
    assertThatThrownBy(() -> DashboardTemplate.fromClasspath("dashboards/missing.json"))
        .hasMessageContaining("dashboards/missing.json");
  }

  @Test
  void missingDashboardSpecFallsBackToTheSidecarLabel() {
    LLMDeployment llmd = MonitoringFixtures.load(MINIMAL);
    llmd.getSpec().getMonitoring().setDashboard(null);
    assertThat(BUILDER.build(llmd, null).getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "1");
  }

  /**
   * The golden files hold the ConfigMap with the dashboard reduced to what the builder changes
   * (uid, title, variables): the panels are the template's, checked above and in DashboardJsonTest.
   */
  private static String summarised(ConfigMap cm) throws Exception {
    Map.Entry<String, String> entry = cm.getData().entrySet().iterator().next();
    JsonNode d = JSON.readTree(entry.getValue());
    ObjectNode summary = JSON.createObjectNode();
    summary.put("uid", d.path("uid").asText());
    summary.put("title", d.path("title").asText());
    summary.put("panels", d.path("panels").size());
    ObjectNode vars = summary.putObject("variables");
    d.path("templating")
        .path("list")
        .forEach(v -> vars.set(v.path("name").asText(), v.path("current")));
    ConfigMap copy =
        new ConfigMapBuilder(cm)
            .withData(
                Map.of(
                    entry.getKey(),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary)))
            .build();
    return MonitoringFixtures.yaml(copy);
  }

  private static JsonNode variable(JsonNode dashboard, String name) {
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no variable " + name);
  }
}
