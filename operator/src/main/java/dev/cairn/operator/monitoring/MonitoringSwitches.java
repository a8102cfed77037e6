package dev.cairn.operator.monitoring;

import dev.cairn.api.v1alpha1.AlertsSpec;
import dev.cairn.api.v1alpha1.DashboardSpec;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.MonitoringSpec;
import dev.cairn.api.v1alpha1.ServiceMonitorSpec;

/** Which monitoring objects spec.monitoring asks for; each is on unless explicitly disabled. */
public record MonitoringSwitches(boolean serviceMonitor, boolean alerts, boolean dashboard) {

  /** Reads spec.monitoring, treating a missing section or flag as enabled (the CRD default). */
  public static MonitoringSwitches of(LLMDeployment llmd) {
    MonitoringSpec m = llmd.getSpec() == null ? null : llmd.getSpec().getMonitoring();
    if (m == null) {
      return new MonitoringSwitches(true, true, true);
    }
    ServiceMonitorSpec sm = m.getServiceMonitor();
    AlertsSpec alerts = m.getAlerts();
    DashboardSpec dashboard = m.getDashboard();
    return new MonitoringSwitches(
        sm == null || !Boolean.FALSE.equals(sm.getEnabled()),
        alerts == null || !Boolean.FALSE.equals(alerts.getEnabled()),
        dashboard == null || !Boolean.FALSE.equals(dashboard.getEnabled()));
  }

  /** True when nothing is asked for. */
  public boolean allOff() {
    return !serviceMonitor && !alerts && !dashboard;
  }
}
