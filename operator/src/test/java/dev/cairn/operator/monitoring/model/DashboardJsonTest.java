package dev.cairn.operator.monitoring.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.MetricNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboards in dashboards/ (as the build copies them onto the classpath) are complete. */
class DashboardJsonTest {
  static final String LLM = "dashboards/cairn-llm.json";
  static final String OPERATOR = "dashboards/cairn-operator.json";

  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");
  private static final String NS = "namespace=~\"$namespace\"";
  private static final String DEPLOYMENT = "deployment=~\"$deployment\"";
  private static final String MODEL = "model_name=~\"$model_name\"";

  /** Worker series that carry model_name themselves (design.md "Metrics"). */
  private static final Set<String> MODEL_LABELLED =
      Set.of(
          MetricNames.REQUESTS_TOTAL,
          MetricNames.REQUEST_DURATION,
          MetricNames.PROMPT_TOKENS_TOTAL,
          MetricNames.GENERATION_TOKENS_TOTAL,
          MetricNames.TOKENS_TOTAL,
          MetricNames.ONGOING_REQUESTS);

  /** Micrometer's JVM/process binders, as Quarkus exports them. */
  private static final Set<String> JVM =
      Set.of(
          "jvm_memory_used_bytes",
          "jvm_memory_max_bytes",
          "jvm_gc_pause_seconds_sum",
          "process_cpu_usage");

  /** Java Operator SDK 5.3 MicrometerMetricsV2 (QOSDK 7.7's default), Prometheus-named. */
  private static final Set<String> JOSDK =
      Set.of(
          "reconciliations_started_total",
          "reconciliations_success_total",
          "reconciliations_failure_total",
          "reconciliations_retries_total",
          "reconciliations_active",
          "reconciliations_queue",
          "custom_resources",
          "events_received_total",
          "reconciliations_execution_duration_seconds_bucket",
          "reconciliations_execution_duration_seconds_sum",
          "reconciliations_execution_duration_seconds_count");

  @Test
  void llmDashboardIdentityAndVariables() {
    JsonNode d = DashboardQueries.load(LLM);
    assertThat(d.path("uid").asText()).isEqualTo("cairn-llm");
    assertThat(d.path("title").asText()).isEqualTo("Cairn LLM");
    assertThat(d.path("schemaVersion").asInt()).isBetween(39, 41);
    assertThat(variableNames(d))
        .containsExactly("datasource", "namespace", "deployment", "model_name", "interval");
    JsonNode ds = d.at("/templating/list/0");
    assertThat(ds.path("type").asText()).isEqualTo("datasource");
    assertThat(ds.path("query").asText()).isEqualTo("prometheus");
    assertThat(d.at("/templating/list/4/type").asText()).isEqualTo("interval");
  }

  @Test
  void llmDashboardHasTheServeLlmRows() {
    List<String> rows =
        DashboardQueries.panels(DashboardQueries.load(LLM)).stream()
            .filter(p -> p.path("type").asText().equals("row"))
            .map(p -> p.path("title").asText())
            .toList();
    assertThat(rows)
        .containsExactly(
            "Requests",
            "Tokens",
            "Usage",
            "Performance",
            "Engine",
            "Resources",
            "Autoscaling",
            "LoRA adapters",
            "Tokens per API key");
  }

  @Test
  void panelsAreComplete() {
    for (String resource : List.of(LLM, OPERATOR)) {
      JsonNode d = DashboardQueries.load(resource);
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : DashboardQueries.panels(d)) {
        String what = resource + " panel " + p.path("title").asText();
        assertThat(ids.add(p.path("id").asInt()))
            .as("%s: duplicate id %s", what, p.path("id"))
            .isTrue();
        assertThat(p.at("/gridPos/x").asInt() + p.at("/gridPos/w").asInt())
            .as(what)
            .isLessThanOrEqualTo(24);
        if (p.path("type").asText().equals("row")) {
          continue;
        }
        assertThat(p.path("description").asText()).as(what + " description").isNotBlank();
        assertThat(p.at("/fieldConfig/defaults/unit").asText()).as(what + " unit").isNotBlank();
        assertThat(p.at("/datasource/uid").asText()).as(what).isEqualTo("${datasource}");
        assertThat(p.path("targets")).as(what + " targets").isNotEmpty();
        Set<String> refIds = new HashSet<>();
        for (JsonNode t : p.path("targets")) {
          assertThat(t.path("expr").asText()).as(what).isNotBlank();
          assertThat(t.has("legendFormat")).as(what + " legend").isTrue();
          assertThat(refIds.add(t.path("refId").asText())).as(what + " refId").isTrue();
        }
      }
    }
  }

  @Test
  void engineAndOptionalPanelsExplainAnEmptyPanel() {
    for (JsonNode p : DashboardQueries.panels(DashboardQueries.load(LLM))) {
      boolean engine = p.path("targets").toString().contains("vllm:");
      if (engine) {
        assertThat(p.at("/fieldConfig/defaults/noValue").asText())
            .as(p.path("title").asText())
            .contains("engine metrics are off (spec.logEngineMetrics: false)");
      }
    }
  }

  @Test
  void llmQueriesFilterOnTheVariables() {
    for (DashboardQueries.Query q : DashboardQueries.raw(DashboardQueries.load(LLM))) {
      Matcher m = SELECTOR.matcher(q.expr());
      boolean operatorSeries = false;
      while (m.find()) {
        String metric = m.group(1);
        String matchers = m.group(2);
        operatorSeries |=
            metric.startsWith("cairn_autoscaler_") || metric.startsWith("cairn_activator_");
        if (q.source().equals("variable namespace")) {
          continue;
        }
        assertThat(matchers).as("%s: %s", q.source(), metric).contains(NS);
        if (!q.source().equals("variable deployment")) {
          assertThat(matchers).as("%s: %s", q.source(), metric).contains(DEPLOYMENT);
        }
        if (metric.startsWith("vllm:") || MODEL_LABELLED.contains(baseName(metric))) {
          if (q.source().startsWith("panel")) {
            assertThat(matchers).as("%s: %s", q.source(), metric).contains(MODEL);
          }
        }
      }
      // Process-level series (JVM, GPU) carry no model_name: the query joins on a series that does.
      if (q.source().startsWith("panel") && !operatorSeries) {
        assertThat(q.expr()).as(q.source()).contains(MODEL);
      }
    }
  }

  @Test
  void everyMetricIsDeclared() {
    Set<String> declared = declaredMetricNames();
    for (String resource : List.of(LLM, OPERATOR)) {
      for (DashboardQueries.Query q : DashboardQueries.raw(DashboardQueries.load(resource))) {
        List<String> metrics = new java.util.ArrayList<>();
        Matcher m = SELECTOR.matcher(q.expr());
        while (m.find()) {
          metrics.add(m.group(1));
        }
        if (metrics.isEmpty() && q.expr().matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
          metrics.add(q.expr()); // label_values(metric, label)
        }
        assertThat(metrics).as("%s %s names a metric", resource, q.source()).isNotEmpty();
        for (String metric : metrics) {
          assertThat(
                  declared.contains(baseName(metric))
                      || JVM.contains(metric)
                      || JOSDK.contains(metric))
              .as(
                  "%s %s: %s is neither in MetricNames nor a JVM/JOSDK metric",
                  resource, q.source(), metric)
              .isTrue();
        }
      }
    }
  }

  @Test
  void operatorQueriesFilterOnTheVariables() {
    for (DashboardQueries.Query q : DashboardQueries.raw(DashboardQueries.load(OPERATOR))) {
      if (!q.source().startsWith("panel")) {
        continue;
      }
      Matcher m = SELECTOR.matcher(q.expr());
      while (m.find()) {
        String metric = m.group(1);
        String required = metric.startsWith("cairn_autoscaler_") ? NS : "instance=~\"$instance\"";
        assertThat(m.group(2)).as("%s: %s", q.source(), metric).contains(required);
        if (JOSDK.contains(metric)) {
          assertThat(m.group(2)).contains("controller_name=~\"$controller\"");
        }
      }
    }
  }

  @Test
  void substitutionLeavesNoVariable() {
    for (String resource : List.of(LLM, OPERATOR)) {
      assertThat(DashboardQueries.runnable(DashboardQueries.load(resource)))
          .allSatisfy(q -> assertThat(q.expr()).doesNotContainPattern(DashboardQueries.VARIABLE));
    }
  }

  /** Histogram series names end in _bucket/_sum/_count; the declared name is the family's. */
  private static String baseName(String metric) {
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      if (metric.endsWith(suffix)) {
        return metric.substring(0, metric.length() - suffix.length());
      }
    }
    return metric;
  }

  static Set<String> declaredMetricNames() {
    Set<String> names = new HashSet<>();
    for (Field f : MetricNames.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers())
          && f.getType() == String.class
          && !f.getName().startsWith("LABEL_")
          && !f.getName().startsWith("KIND_")) { // label names and values are not metrics
        try {
          names.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return names;
  }

  private static List<String> variableNames(JsonNode d) {
    List<String> names = new java.util.ArrayList<>();
    d.path("templating").path("list").forEach(v -> names.add(v.path("name").asText()));
    return names;
  }
}
