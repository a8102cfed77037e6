package dev.cairn.operator.monitoring.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** One Prometheus alerting rule, in the shape PrometheusRule and rule files share. */
public record AlertRule(
    String alert,
    String expr,
    int forSeconds,
    String severity,
    String summary,
    String description) {

  /** The rule as a PrometheusRule/rule-file map, keys in the conventional order. */
  public Map<String, Object> toMap() {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("alert", alert);
    rule.put("expr", expr);
    rule.put("for", forSeconds + "s");
    rule.put("labels", Map.of("severity", severity));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", summary);
    annotations.put("description", description);
    rule.put("annotations", annotations);
    return rule;
  }
}
