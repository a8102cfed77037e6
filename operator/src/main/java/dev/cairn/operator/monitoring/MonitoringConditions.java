package dev.cairn.operator.monitoring;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.MonitoringCrds;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Workflow conditions of the monitoring dependents. A missing CRD is an activation condition: the
 * dependent's informer is registered only once the CRD exists (and dropped when it goes), the same
 * for every resource. Whether the spec asks for an object is a reconcile precondition, per
 * resource: when it does not hold, the workflow deletes the object.
 */
public final class MonitoringConditions {
  private MonitoringConditions() {}

  /** The ServiceMonitor CRD is installed. */
  public static final class ServiceMonitorCrdInstalled<R> implements Condition<R, LLMDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, LLMDeployment> dependent,
        LLMDeployment primary,
        Context<LLMDeployment> context) {
      return MonitoringCrds.installed(context).contains(MonitoringCrds.SERVICE_MONITORS);
    }
  }

  /** The PrometheusRule CRD is installed. */
  public static final class PrometheusRuleCrdInstalled<R> implements Condition<R, LLMDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, LLMDeployment> dependent,
        LLMDeployment primary,
        Context<LLMDeployment> context) {
      return MonitoringCrds.installed(context).contains(MonitoringCrds.PROMETHEUS_RULES);
    }
  }

  /** spec.monitoring.serviceMonitor.enabled. */
  public static final class ServiceMonitorEnabled<R> implements Condition<R, LLMDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, LLMDeployment> dependent,
        LLMDeployment primary,
        Context<LLMDeployment> context) {
      return MonitoringSwitches.of(primary).serviceMonitor();
    }
  }

  /** spec.monitoring.alerts.enabled. */
  public static final class AlertsEnabled<R> implements Condition<R, LLMDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, LLMDeployment> dependent,
        LLMDeployment primary,
        Context<LLMDeployment> context) {
      return MonitoringSwitches.of(primary).alerts();
    }
  }

  /** spec.monitoring.dashboard.enabled. */
  public static final class DashboardEnabled<R> implements Condition<R, LLMDeployment> {
    @Override
    public boolean isMet(
        DependentResource<R, LLMDeployment> dependent,
        LLMDeployment primary,
        Context<LLMDeployment> context) {
      return MonitoringSwitches.of(primary).dashboard();
    }
  }
}
