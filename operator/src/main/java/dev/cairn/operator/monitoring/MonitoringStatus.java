package dev.cairn.operator.monitoring;

import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.operator.status.ConditionSet;
import dev.cairn.operator.status.StatusAggregator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The MonitoringReady condition: True once every enabled monitoring object could be created, False
 * naming the missing Prometheus Operator CRD otherwise. Called after the workflow reconciled
 * without errors, so "its CRD is installed" means "it exists".
 */
public final class MonitoringStatus {
  static final String INSTALL_HINT =
      "install the Prometheus Operator CRDs (e.g. the kube-prometheus-stack Helm chart);"
          + " the objects are created as soon as they exist, no operator restart needed";

  private MonitoringStatus() {}

  /** Sets MonitoringReady on the result's conditions and refreshes its status list. */
  public static StatusAggregator.Result apply(
      StatusAggregator.Result result, MonitoringSwitches on, Set<String> installedCrds) {
    ConditionSet cs = result.conditions();
    boolean smMissing =
        on.serviceMonitor() && !installedCrds.contains(MonitoringCrds.SERVICE_MONITORS);
    boolean prMissing = on.alerts() && !installedCrds.contains(MonitoringCrds.PROMETHEUS_RULES);
    if (on.allOff()) {
      cs.set(
          Conditions.MONITORING_READY,
          false,
          Reason.MONITORING_DISABLED,
          "spec.monitoring disables the ServiceMonitor, the alerts and the dashboard");
    } else if (smMissing) {
      cs.set(
          Conditions.MONITORING_READY,
          false,
          Reason.SERVICE_MONITOR_CRD_MISSING,
          "no ServiceMonitor: CRD "
              + MonitoringCrds.SERVICE_MONITORS
              + (prMissing ? " and " + MonitoringCrds.PROMETHEUS_RULES : "")
              + " not installed; "
              + INSTALL_HINT);
    } else if (prMissing) {
      cs.set(
          Conditions.MONITORING_READY,
          false,
          Reason.PROMETHEUS_RULE_CRD_MISSING,
          "no PrometheusRule: CRD "
              + MonitoringCrds.PROMETHEUS_RULES
              + " not installed; "
              + INSTALL_HINT);
    } else {
      cs.set(
          Conditions.MONITORING_READY,
          true,
          Reason.MONITORING_CONFIGURED,
          "created: " + String.join(", ", created(on)));
    }
    result.status().setConditions(cs.toList(StatusAggregator.ORDER));
    return result;
  }

  private static List<String> created(MonitoringSwitches on) {
    List<String> parts = new ArrayList<>();
    if (on.serviceMonitor()) {
      parts.add("ServiceMonitor");
    }
    if (on.alerts()) {
      parts.add("PrometheusRule");
    }
    if (on.dashboard()) {
      parts.add("dashboard ConfigMap");
    }
    return parts;
  }
}
