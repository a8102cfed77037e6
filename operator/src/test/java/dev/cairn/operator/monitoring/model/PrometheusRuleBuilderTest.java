package dev.cairn.operator.monitoring.model;

import static dev.cairn.operator.monitoring.model.MonitoringFixtures.AUTOSCALED;
import static dev.cairn.operator.monitoring.model.MonitoringFixtures.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.api.testing.CrdSchemaValidator;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.testing.GoldenFiles;
import dev.cairn.worker.testing.Promtool;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusRuleBuilderTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final CrdSchemaValidator CRD =
      CrdSchemaValidator.fromClasspath(
          "crds/prometheus-operator/monitoring.coreos.com_prometheusrules.yaml");
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {AUTOSCALED, MINIMAL})
  void matchesGoldenFile(String fixture) {
    GenericKubernetesResource rule = PrometheusRuleBuilder.build(MonitoringFixtures.load(fixture));
    GoldenFiles.assertMatches(
        "monitoring/prometheusrule-" + fixture + ".yaml", MonitoringFixtures.yaml(rule));
  }

  @ParameterizedTest
  @ValueSource(strings = {AUTOSCALED, MINIMAL})
  void validatesAgainstPrometheusOperatorCrd(String fixture) {
    GenericKubernetesResource rule = PrometheusRuleBuilder.build(MonitoringFixtures.load(fixture));
    assertThat(CRD.validate(MonitoringFixtures.tree(rule))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {AUTOSCALED, MINIMAL})
  void promtoolAcceptsTheRules(String fixture) throws IOException {
    Path rules = renderRuleFile(MonitoringFixtures.load(fixture));
    Promtool.Result r = Promtool.run("check", "rules", rules);
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void everySelectorIsScopedToTheDeployment() {
    for (AlertRule rule : CairnAlerts.rules(MonitoringFixtures.load(AUTOSCALED))) {
      Matcher m = SELECTOR.matcher(rule.expr());
      int selectors = 0;
      while (m.find()) {
        selectors++;
        assertThat(m.group(2))
            .as("%s in %s", m.group(1), rule.alert())
            .contains("namespace=\"llm\"", "deployment=\"qwen\"");
      }
      assertThat(selectors).as(rule.alert()).isPositive();
    }
  }

  @Test
  void thresholdsAndForComeFromTheSpec() {
    Map<String, AlertRule> rules = byName(MonitoringFixtures.load(AUTOSCALED));
    assertThat(rules.keySet())
        .containsExactly(
            "CairnHighErrorRate",
            "CairnSlowTimeToFirstToken",
            "CairnKVCacheNearlyFull",
            "CairnRequestsWaiting",
            "CairnReplicasAtMaximum",
            "CairnNoReadyReplica",
            "CairnAvailabilityBudgetBurnFast",
            "CairnAvailabilityBudgetBurnSlow",
            "CairnTtftBudgetBurnFast",
            "CairnTtftBudgetBurnSlow");
    assertThat(rules.get("CairnHighErrorRate").expr()).endsWith("> 0.02");
    assertThat(rules.get("CairnSlowTimeToFirstToken").expr()).endsWith("> 1.5");
    assertThat(rules.get("CairnKVCacheNearlyFull").expr()).endsWith("> 0.9");
    assertThat(rules.get("CairnRequestsWaiting").expr()).endsWith("> 8");
    assertThat(rules.get("CairnReplicasAtMaximum").expr()).endsWith(">= 4");
    // Burn-rate alerts need no `for`: their short window already demands the burn is current.
    assertThat(rules.values())
        .allSatisfy(
            r -> assertThat(r.forSeconds()).isEqualTo(r.alert().contains("BudgetBurn") ? 0 : 120));
  }

  @Test
  void withoutEngineMetricsOrAutoscalingOnlyServiceLevelAlertsRemain() {
    assertThat(byName(MonitoringFixtures.load(MINIMAL)).keySet())
        .containsExactly(
            "CairnHighErrorRate",
            "CairnNoReadyReplica",
            "CairnAvailabilityBudgetBurnFast",
            "CairnAvailabilityBudgetBurnSlow");
  }

  @Test
  void alertsFireOnSyntheticSeries() throws IOException {
    // promtool evaluates the rules on these series exactly as Prometheus would: 10% errors,
    // KV cache at 50%, no ready replica while 4 are wanted.
    LLMDeployment llmd = MonitoringFixtures.load(AUTOSCALED);
    Path rules = renderRuleFile(llmd);
    String worker = "namespace=\"llm\",deployment=\"qwen\",model_name=\"qwen-0.5b\"";
    String op = "namespace=\"llm\",deployment=\"qwen\"";
    List<Map<String, String>> series =
        List.of(
            series(
                "cairn_requests_total{" + worker + ",endpoint=\"/v1/completions\",status=\"500\"}",
                "0+6x20"),
            series(
                "cairn_requests_total{" + worker + ",endpoint=\"/v1/completions\",status=\"200\"}",
                "0+54x20"),
            series("vllm:kv_cache_usage_perc{" + worker + ",pod=\"qwen-0\"}", "0.5x20"),
            series("cairn_autoscaler_ready_replicas{" + op + "}", "0x20"),
            series("cairn_autoscaler_desired_replicas{" + op + "}", "4x20"));
    Map<String, AlertRule> byName = byName(llmd);
    Map<String, String> values = Map.of("CairnHighErrorRate", "10%", "CairnReplicasAtMaximum", "4");
    List<Object> cases =
        List.of(
            expect("1m", "CairnHighErrorRate", null, null), // not yet held for 120s
            expect("10m", "CairnHighErrorRate", byName.get("CairnHighErrorRate"), values),
            expect("10m", "CairnKVCacheNearlyFull", null, null),
            expect("10m", "CairnReplicasAtMaximum", byName.get("CairnReplicasAtMaximum"), values),
            expect("10m", "CairnNoReadyReplica", byName.get("CairnNoReadyReplica"), values));
    Map<String, Object> test =
        Map.of(
            "rule_files", List.of(rules.toString()),
            "evaluation_interval", "1m",
            "tests",
                List.of(
                    Map.of("interval", "1m", "input_series", series, "alert_rule_test", cases)));
    Path testFile = tmp.resolve("alerts-test.yaml");
    YAML.writeValue(testFile.toFile(), test);
    Promtool.Result r = Promtool.run("test", "rules", testFile);
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  private static Map<String, String> series(String name, String values) {
    return Map.of("series", name, "values", values);
  }

  /** One alert_rule_test case; a null rule means "must not fire". */
  private static Map<String, Object> expect(
      String at, String alert, AlertRule rule, Map<String, String> values) {
    if (rule == null) {
      return Map.of("eval_time", at, "alertname", alert, "exp_alerts", List.of());
    }
    Map<String, String> labels =
        Map.of("severity", rule.severity(), "namespace", "llm", "deployment", "qwen");
    String value = values.getOrDefault(alert, "0");
    Map<String, String> annotations =
        Map.of(
            "summary",
            render(rule.summary(), value),
            "description",
            render(rule.description(), value));
    return Map.of(
        "eval_time", at,
        "alertname", alert,
        "exp_alerts", List.of(Map.of("exp_labels", labels, "exp_annotations", annotations)));
  }

  private static String render(String template, String value) {
    return template
        .replace("{{ $labels.namespace }}", "llm")
        .replace("{{ $labels.deployment }}", "qwen")
        .replace("{{ $value | humanizePercentage }}", value)
        .replace("{{ $value }}", value);
  }

  private static Map<String, AlertRule> byName(LLMDeployment llmd) {
    Map<String, AlertRule> rules = new java.util.LinkedHashMap<>();
    CairnAlerts.rules(llmd).forEach(r -> rules.put(r.alert(), r));
    return rules;
  }

  private Path renderRuleFile(LLMDeployment llmd) throws IOException {
    Path file = tmp.resolve(PrometheusRuleBuilder.groupName(llmd) + ".rules.yaml");
    Files.writeString(
        file,
        YAML.writeValueAsString(Map.of("groups", List.of(PrometheusRuleBuilder.group(llmd)))));
    return file;
  }
}
