package dev.cairn.operator.monitoring;

import dev.cairn.api.v1alpha1.LLMDeployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.util.function.BiPredicate;

/**
 * Workflow conditions of the monitoring dependents. A missing CRD is an activation condition: the
 * dependent's informer is registered only once the CRD exists (and dropped when it goes), the same
 * for every resource. Whether the spec asks for an object is a reconcile precondition, per
 * resource: when it does not hold, the workflow deletes the object.
 */
public final class MonitoringConditions {
  private MonitoringConditions() {}

  /**
   * One condition from a test on the resource and its context; the subclasses exist because JOSDK
   * names conditions by class in the workflow annotation.
   */
  abstract static class Check<R> implements Condition<R, LLMDeployment> {
    private final BiPredicate<LLMDeployment, Context<LLMDeployment>> test;

    Check(BiPredicate<LLMDeployment, Context<LLMDeployment>> test) {
      this.test = test;
    }

    @Override
    public boolean isMet(
        DependentResource<R, LLMDeployment> dependent,
        LLMDeployment primary,
        Context<LLMDeployment> context) {
      return test.test(primary, context);
    }
  }

  private static boolean crdInstalled(Context<LLMDeployment> context, String crd) {
    return MonitoringCrds.installed(context).contains(crd);
  }

  /** The ServiceMonitor CRD is installed. */
  public static final class ServiceMonitorCrdInstalled<R> extends Check<R> {
    public ServiceMonitorCrdInstalled() {
      super((p, c) -> crdInstalled(c, MonitoringCrds.SERVICE_MONITORS));
    }
  }

  /** The PrometheusRule CRD is installed. */
  public static final class PrometheusRuleCrdInstalled<R> extends Check<R> {
    public PrometheusRuleCrdInstalled() {
      super((p, c) -> crdInstalled(c, MonitoringCrds.PROMETHEUS_RULES));
    }
  }

  /** spec.monitoring.serviceMonitor.enabled. */
  public static final class ServiceMonitorEnabled<R> extends Check<R> {
    public ServiceMonitorEnabled() {
      super((p, c) -> MonitoringSwitches.of(p).serviceMonitor());
    }
  }

  /** spec.monitoring.alerts.enabled. */
  public static final class AlertsEnabled<R> extends Check<R> {
    public AlertsEnabled() {
      super((p, c) -> MonitoringSwitches.of(p).alerts());
    }
  }

  /** spec.monitoring.dashboard.enabled. */
  public static final class DashboardEnabled<R> extends Check<R> {
    public DashboardEnabled() {
      super((p, c) -> MonitoringSwitches.of(p).dashboard());
    }
  }
}
