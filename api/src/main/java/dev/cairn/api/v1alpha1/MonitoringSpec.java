package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Monitoring wired for this deployment. */
@JsonClassDescription("Monitoring wired for this deployment: scraping, dashboard, alerts.")
public class MonitoringSpec {
  @JsonPropertyDescription("Prometheus Operator ServiceMonitor for the workers.")
  private ServiceMonitorSpec serviceMonitor = new ServiceMonitorSpec();

  @JsonPropertyDescription("Grafana dashboard ConfigMap.")
  private DashboardSpec dashboard = new DashboardSpec();

  @JsonPropertyDescription("PrometheusRule with alerts on errors, latency, KV cache and capacity.")
  private AlertsSpec alerts = new AlertsSpec();

  public ServiceMonitorSpec getServiceMonitor() {
    return serviceMonitor;
  }

  public void setServiceMonitor(ServiceMonitorSpec serviceMonitor) {
    this.serviceMonitor = serviceMonitor;
  }

  public DashboardSpec getDashboard() {
    return dashboard;
  }

  public void setDashboard(DashboardSpec dashboard) {
    this.dashboard = dashboard;
  }

  public AlertsSpec getAlerts() {
    return alerts;
  }

  public void setAlerts(AlertsSpec alerts) {
    this.alerts = alerts;
  }
}
