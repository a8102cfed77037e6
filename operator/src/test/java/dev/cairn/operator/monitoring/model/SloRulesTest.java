package dev.cairn.operator.monitoring.model;

import static dev.cairn.operator.monitoring.model.MonitoringFixtures.AUTOSCALED;
import static dev.cairn.operator.monitoring.model.MonitoringFixtures.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.api.MetricNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.worker.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SLO burn-rate alerts, evaluated by {@code promtool test rules} on the rule file the operator
 * builds: each alert fires on a burn it must catch and stays quiet on one it must not. Availability
 * 99.5% (budget 0.5%: page above 7.2% over 1h+5m or 3% over 6h+30m, ticket above 1.5% over 1d+2h or
 * 0.5% over 3d+6h); TTFT 95% within 2 s, measured at the 2.5 s bucket (budget 5%: page above 72% or
 * 30%, ticket above 15% or 5%).
 */
class SloRulesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String AVAILABILITY_FAST = "CairnAvailabilityBudgetBurnFast";
  private static final String AVAILABILITY_SLOW = "CairnAvailabilityBudgetBurnSlow";
  private static final String TTFT_FAST = "CairnTtftBudgetBurnFast";
  private static final String TTFT_SLOW = "CairnTtftBudgetBurnSlow";
  private static final String LABELS = "namespace=\"llm\",deployment=\"qwen\",model_name=\"qwen\"";

  @TempDir Path tmp;

  private final LLMDeployment llmd = MonitoringFixtures.load(AUTOSCALED);
  private final Map<String, AlertRule> rules = byName(llmd);

  @Test
  void aTwoSecondTtftIsMeasuredAtTheTwoAndAHalfSecondBucket() {
    assertThat(SloRules.ttftBound(2)).isEqualTo(2.5);
    assertThat(SloRules.ttftBound(2.5)).isEqualTo(2.5);
    assertThat(SloRules.ttftBound(0.0001)).isEqualTo(0.001);
    assertThat(SloRules.ttftBound(9999)).isEqualTo(2560);
    assertThat(SloRules.leValues(2.5)).isEqualTo("2\\\\.5");
    assertThat(SloRules.leValues(1)).isEqualTo("1|1\\\\.0");
  }

  @Test
  void withoutEngineMetricsOnlyAvailabilityHasAnObjective() {
    LLMDeployment minimal = MonitoringFixtures.load(MINIMAL);
    assertThat(byName(minimal).keySet())
        .contains(AVAILABILITY_FAST, AVAILABILITY_SLOW)
        .doesNotContain(TTFT_FAST, TTFT_SLOW);
    assertThat(CairnAlerts.recordingRules(minimal))
        .extracting(RecordingRule::record)
        .allMatch(r -> r.startsWith(MetricNames.SLO_AVAILABILITY_ERRORS));
  }

  @Test
  void switchedOffThereAreNoSloRules() {
    llmd.getSpec().getMonitoring().getAlerts().getSlo().setEnabled(false);
    assertThat(CairnAlerts.recordingRules(llmd)).isEmpty();
    assertThat(byName(llmd).keySet()).noneMatch(a -> a.contains("BudgetBurn"));
  }

  @Test
  void availabilityAlertsFireOnTheBurnsTheyGuardAndOnNothingElse() throws IOException {
    List<Object> groups = new ArrayList<>();
    // 0.1% errors for 4 h: within budget.
    groups.add(
        group(requests("0+999x240", "0+1x240"), quiet("4h", AVAILABILITY_FAST, AVAILABILITY_SLOW)));
    // 10% errors for an hour: a page (and the ticket's windows agree).
    groups.add(
        group(requests("0+90x60", "0+10x60"), fires("1h", AVAILABILITY_FAST, AVAILABILITY_SLOW)));
    // 1% errors (2x) for 7 h: a ticket, no page.
    groups.add(
        group(
            requests("0+99x420", "0+1x420"),
            fires("7h", AVAILABILITY_SLOW),
            quiet("7h", AVAILABILITY_FAST)));
    // A 10-minute outage pages while it lasts; 35 minutes on, both short windows (5m, 30m) are
    // clean and the page stops, though the long windows still hold the outage.
    groups.add(
        group(
            requests("0+0x10 100+100x34", "0+100x10 1000+0x34"),
            fires("8m", AVAILABILITY_FAST),
            quiet("45m", AVAILABILITY_FAST)));
    assertPromtoolPasses(groups);
  }

  @Test
  void ttftAlertsFireOnTheBurnsTheyGuardAndOnNothingElse() throws IOException {
    List<Object> groups = new ArrayList<>();
    // 1% later than 2.5 s: within budget, although 90% take longer than 1 s.
    groups.add(group(ttft("0+100x240", "0+99x240"), quiet("4h", TTFT_FAST, TTFT_SLOW)));
    // 80% slow for an hour: a page.
    groups.add(group(ttft("0+100x60", "0+20x60"), fires("1h", TTFT_FAST)));
    // 10% slow (2x) for 7 h: a ticket, no page.
    groups.add(
        group(ttft("0+100x420", "0+90x420"), fires("7h", TTFT_SLOW), quiet("7h", TTFT_FAST)));
    assertPromtoolPasses(groups);
  }

  /** Completion requests answered 200 and 500, and /v1/models calls that must not count. */
  private static List<Map<String, String>> requests(String ok, String errors) {
    return List.of(
        series(requestSeries("/v1/chat/completions", "200"), ok),
        series(requestSeries("/v1/completions", "500"), errors),
        series(requestSeries("/v1/models", "503"), "0+1000x420"));
  }

  private static String requestSeries(String endpoint, String status) {
    return MetricNames.REQUESTS_TOTAL
        + "{"
        + LABELS
        + ",endpoint=\""
        + endpoint
        + "\",status=\""
        + status
        + "\"}";
  }

  /** All requests, those within 2.5 s, and a 1 s bucket at 10% that must not be the one read. */
  private static List<Map<String, String>> ttft(String count, String within) {
    String bucket = MetricNames.VLLM_TTFT + "_bucket{" + LABELS + ",le=\"";
    return List.of(
        series(MetricNames.VLLM_TTFT + "_count{" + LABELS + "}", count),
        series(bucket + "2.5\"}", within),
        series(bucket + "1.0\"}", "0+10x420"));
  }

  private static Map<String, String> series(String name, String values) {
    return Map.of("series", name, "values", values);
  }

  @SafeVarargs
  private static Map<String, Object> group(
      List<Map<String, String>> series, List<Map<String, Object>>... cases) {
    List<Map<String, Object>> all = new ArrayList<>();
    for (List<Map<String, Object>> c : cases) {
      all.addAll(c);
    }
    return Map.of("interval", "1m", "input_series", series, "alert_rule_test", all);
  }

  private static List<Map<String, Object>> quiet(String at, String... alerts) {
    List<Map<String, Object>> cases = new ArrayList<>();
    for (String alert : alerts) {
      cases.add(Map.of("eval_time", at, "alertname", alert, "exp_alerts", List.of()));
    }
    return cases;
  }

  private List<Map<String, Object>> fires(String at, String... alerts) {
    List<Map<String, Object>> cases = new ArrayList<>();
    for (String alert : alerts) {
      AlertRule rule = rules.get(alert);
      Map<String, String> labels =
          Map.of("severity", rule.severity(), "namespace", "llm", "deployment", "qwen");
      Map<String, String> annotations =
          Map.of("summary", render(rule.summary()), "description", render(rule.description()));
      cases.add(
          Map.of(
              "eval_time",
              at,
              "alertname",
              alert,
              "exp_alerts",
              List.of(Map.of("exp_labels", labels, "exp_annotations", annotations))));
    }
    return cases;
  }

  private static String render(String template) {
    return template
        .replace("{{ $labels.namespace }}", "llm")
        .replace("{{ $labels.deployment }}", "qwen");
  }

  private void assertPromtoolPasses(List<Object> groups) throws IOException {
    Path ruleFile = tmp.resolve("rules.yaml");
    Files.writeString(
        ruleFile,
        YAML.writeValueAsString(Map.of("groups", List.of(PrometheusRuleBuilder.group(llmd)))));
    Map<String, Object> test =
        Map.of(
            "rule_files",
            List.of(ruleFile.toString()),
            "evaluation_interval",
            "1m",
            "tests",
            groups);
    Path testFile = tmp.resolve("slo-test.yaml");
    YAML.writeValue(testFile.toFile(), test);
    Promtool.Result r = Promtool.run("test", "rules", testFile);
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  private static Map<String, AlertRule> byName(LLMDeployment llmd) {
    Map<String, AlertRule> byName = new LinkedHashMap<>();
    CairnAlerts.rules(llmd).forEach(r -> byName.put(r.alert(), r));
    return byName;
  }
}
