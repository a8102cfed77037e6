package dev.cairn.operator.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus relabel rules as prometheus.yml writes them, for the scrape jobs that stand in for
 * what Prometheus Operator generates from a ServiceMonitor or a PodMonitor.
 */
final class RelabelRules {

  private RelabelRules() {}

  /** {@code action} on one source label, with an optional regex and target label. */
  static Map<String, Object> rule(String action, String source, String regex, String target) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("action", action);
    r.put("source_labels", List.of(source));
    if (regex != null) {
      r.put("regex", regex);
    }
    if (target != null) {
      r.put("target_label", target);
    }
    return r;
  }

  /** Sets {@code target} to a fixed value. */
  static Map<String, Object> fixed(String target, String value) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("target_label", target);
    r.put("replacement", value);
    return r;
  }

  /** Kubernetes SD's label-name mangling: anything outside [a-zA-Z0-9_] becomes '_'. */
  static String sanitize(String name) {
    return name.replaceAll("[^a-zA-Z0-9_]", "_");
  }
}
