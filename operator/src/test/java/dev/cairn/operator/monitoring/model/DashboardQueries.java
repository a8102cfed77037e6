package dev.cairn.operator.monitoring.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of a Grafana dashboard (panel targets and label_values variable selectors), with
 * Grafana's variables replaced so Prometheus can run it: reused by tests against real Prometheus.
 */
public final class DashboardQueries {
  /** One query and where it comes from. */
  public record Query(String source, String expr) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A Grafana variable; {@code $1} is a label_replace capture group, not one. */
  static final Pattern VARIABLE = Pattern.compile("\\$(?![0-9])");

  private static final Pattern LABEL_VALUES =
      Pattern.compile("^label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\)$");

  /** Grafana's built-ins and the dashboards' variables, as the tests substitute them. */
  private static final Map<String, String> SUBSTITUTIONS =
      Map.of(
          "$__rate_interval", "1m",
          "$__range", "1h",
          "$__interval", "15s",
          "$interval", "1m",
          "$namespace", ".*",
          "$deployment", ".*",
          "$model_name", ".*",
          "$controller", ".*",
          "$instance", ".*");

  private DashboardQueries() {}

  /** Parses a dashboard, e.g. the one in an operator-made ConfigMap. */
  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("not a dashboard", e);
    }
  }

  /** Loads a dashboard from the classpath, e.g. dashboards/cairn-llm.json. */
  public static JsonNode load(String resource) {
    try (InputStream in = DashboardQueries.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(resource + " is not on the test classpath");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(resource, e);
    }
  }

  /** Every panel, rows' nested panels included, rows themselves included. */
  public static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      p.path("panels").forEach(out::add);
    }
    return out;
  }

  /** Panel target expressions and variable selectors, variables still in place. */
  public static List<Query> raw(JsonNode dashboard) {
    List<Query> out = new ArrayList<>();
    for (JsonNode p : panels(dashboard)) {
      for (JsonNode t : p.path("targets")) {
        out.add(
            new Query(
                "panel " + p.path("id") + " " + p.path("title").asText(), t.path("expr").asText()));
      }
    }
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if ("query".equals(v.path("type").asText())) {
        Matcher m = LABEL_VALUES.matcher(v.path("query").asText());
        if (!m.matches()) {
          throw new IllegalArgumentException(
              "variable " + v.path("name").asText() + " is not label_values(selector, label)");
        }
        out.add(new Query("variable " + v.path("name").asText(), m.group(1)));
      }
    }
    return out;
  }

  /** The same queries, runnable by Prometheus, every dashboard variable matching anything. */
  public static List<Query> runnable(JsonNode dashboard) {
    return runnable(dashboard, Map.of());
  }

  /**
   * The same queries with some variables chosen, as a user picking them in Grafana would, e.g.
   * {@code Map.of("namespace", "llm", "deployment", "qwen")}; the others match anything.
   */
  public static List<Query> runnable(JsonNode dashboard, Map<String, String> chosen) {
    Map<String, String> values = new HashMap<>(SUBSTITUTIONS);
    chosen.forEach((name, value) -> values.put("$" + name, value));
    return raw(dashboard).stream()
        .map(q -> new Query(q.source(), substitute(q.expr(), values)))
        .toList();
  }

  /** Replaces Grafana variables; longest names first so $__range never eats $__rate_interval. */
  private static String substitute(String expr, Map<String, String> values) {
    String out = expr;
    List<String> names = new ArrayList<>(values.keySet());
    names.sort((a, b) -> b.length() - a.length());
    for (String name : names) {
      out = out.replace(name, values.get(name));
    }
    if (VARIABLE.matcher(out).find()) {
      throw new IllegalArgumentException("unknown Grafana variable left in: " + out);
    }
    return out;
  }
}
