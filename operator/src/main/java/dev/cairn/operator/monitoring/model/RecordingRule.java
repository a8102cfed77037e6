package dev.cairn.operator.monitoring.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** One Prometheus recording rule, in the shape PrometheusRule and rule files share. */
public record RecordingRule(String record, String expr) {

  /** The rule as a PrometheusRule/rule-file map. */
  public Map<String, Object> toMap() {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("record", record);
    rule.put("expr", expr);
    return rule;
  }
}
