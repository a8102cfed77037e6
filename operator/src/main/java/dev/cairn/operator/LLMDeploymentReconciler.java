package dev.cairn.operator;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.validation.SpecValidator;
import dev.cairn.api.v1alpha1.validation.Violation;
import dev.cairn.operator.activator.ActivatorRoutes;
import dev.cairn.operator.autoscaler.k8s.ScalingTrigger;
import dev.cairn.operator.dependent.WorkerDeploymentDependent;
import dev.cairn.operator.dependent.WorkerEndpointSliceDependent;
import dev.cairn.operator.dependent.WorkerServiceDependent;
import dev.cairn.operator.events.ChildEvents;
import dev.cairn.operator.events.EventRecorder;
import dev.cairn.operator.monitoring.MonitoringConditions;
import dev.cairn.operator.monitoring.MonitoringCrds;
import dev.cairn.operator.monitoring.MonitoringStatus;
import dev.cairn.operator.monitoring.MonitoringSwitches;
import dev.cairn.operator.monitoring.dependent.DashboardConfigMapDependent;
import dev.cairn.operator.monitoring.dependent.PrometheusRuleDependent;
import dev.cairn.operator.monitoring.dependent.ServiceMonitorDependent;
import dev.cairn.operator.replicas.DesiredReplicas;
import dev.cairn.operator.status.FailureMessage;
import dev.cairn.operator.status.ModelLoadProgress;
import dev.cairn.operator.status.StatusAggregator;
import dev.cairn.operator.status.StatusWrites;
import dev.cairn.operator.status.WorkerPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowCleanupResult;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Turns an LLMDeployment into a worker Deployment and Service (plus its ServiceMonitor,
 * PrometheusRule and dashboard ConfigMap) and reports truthfully on them. Thin on purpose:
 * validation, the desired objects, status and events each live in their own class. The workflow is
 * invoked explicitly so that an invalid spec leaves what runs untouched (a failing workflow
 * precondition would delete the dependents instead), and so is its cleanup on deletion.
 */
@ControllerConfiguration(
    name = LLMDeploymentReconciler.NAME,
    fieldManager = CairnNames.FIELD_MANAGER)
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "deployment", type = WorkerDeploymentDependent.class),
      @Dependent(name = "service", type = WorkerServiceDependent.class),
      @Dependent(
          name = "endpointslice",
          type = WorkerEndpointSliceDependent.class,
          reconcilePrecondition = WorkerEndpointSliceDependent.ScalesToZero.class),
      // Activation conditions on the CRDs let the operator run without the Prometheus Operator;
      // reconcile preconditions on spec.monitoring delete what is switched off.
      @Dependent(
          name = "servicemonitor",
          type = ServiceMonitorDependent.class,
          activationCondition = MonitoringConditions.ServiceMonitorCrdInstalled.class,
          reconcilePrecondition = MonitoringConditions.ServiceMonitorEnabled.class),
      @Dependent(
          name = "prometheusrule",
          type = PrometheusRuleDependent.class,
          activationCondition = MonitoringConditions.PrometheusRuleCrdInstalled.class,
          reconcilePrecondition = MonitoringConditions.AlertsEnabled.class),
      @Dependent(
          name = "dashboard",
          type = DashboardConfigMapDependent.class,
          reconcilePrecondition = MonitoringConditions.DashboardEnabled.class),
    })
public class LLMDeploymentReconciler implements Reconciler<LLMDeployment>, Cleaner<LLMDeployment> {
  /** Controller name: {@code quarkus.operator-sdk.controllers.llmdeployment.*} configures it. */
  public static final String NAME = "llmdeployment";

  /** How often status is refreshed while a model loads (pods do not change while they load). */
  static final Duration LOADING_REFRESH = Duration.ofSeconds(10);

  /** How often a resource whose monitoring waits for a missing CRD looks for it again. */
  static final Duration CRD_RECHECK = Duration.ofSeconds(60);

  private static final Logger LOG = Logger.getLogger(LLMDeploymentReconciler.class);

  @Inject SpecValidator validator;
  @Inject DesiredReplicas desiredReplicas;
  @Inject ModelLoadProgress progress;
  @Inject EventRecorder events;
  @Inject Clock clock;
  @Inject ScalingTrigger scalingTrigger;
  @Inject ActivatorRoutes routes;

  @ConfigProperty(name = "cairn.autoscaler.worker-port", defaultValue = "8000")
  int workerPort;

  @Override
  public List<EventSource<?, LLMDeployment>> prepareEventSources(
      EventSourceContext<LLMDeployment> context) {
    return List.of(
        WorkerPods.eventSource(context),
        MonitoringCrds.eventSource(context),
        scalingTrigger.eventSource());
  }

  @Override
  public UpdateControl<LLMDeployment> reconcile(
      LLMDeployment llmd, Context<LLMDeployment> context) {
    StatusAggregator aggregator = new StatusAggregator(clock);
    Optional<Deployment> before = context.getSecondaryResource(Deployment.class);
    List<Violation> violations = validator.validate(llmd.getSpec(), llmd.getMetadata().getName());
    if (!violations.isEmpty()) {
      String message = SpecValidator.describe(violations);
      StatusAggregator.Result result = aggregator.invalid(llmd, message, before);
      if (result.conditions().changedToOrWithin(Conditions.DEGRADED, true)) {
        LOG.warnf("%s: invalid spec: %s", id(llmd), message);
        events.record(llmd, EventRecorder.WARNING, Reason.INVALID_SPEC, message);
      }
      return StatusWrites.ifChanged(llmd, result.status());
    }

    int desired = desiredReplicas.of(llmd);
    if (WorkerPods.scalesToZero(llmd)) {
      context
          .managedWorkflowAndDependentResourceContext()
          .put(WorkerEndpointSliceDependent.ROUTE, routes.register(llmd, readyTargets(context)));
    } else {
      // Back to minReplicas ≥ 1: the Service selects the pods again and the port is freed.
      routes.remove(llmd.getMetadata().getNamespace(), llmd.getMetadata().getName());
    }
    context
        .managedWorkflowAndDependentResourceContext()
        .reconcileManagedWorkflow()
        .throwAggregateExceptionIfErrorsPresent();
    Optional<Deployment> after = context.getSecondaryResource(Deployment.class);
    ChildEvents.deploymentChanged(llmd, before, after, events);

    List<Pod> pods =
        context
            .getSecondaryResourcesAsStream(Pod.class)
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
    MonitoringSwitches switches = MonitoringSwitches.of(llmd);
    Set<String> crds = MonitoringCrds.installed(context);
    StatusAggregator.Result result =
        MonitoringStatus.apply(
            aggregator.aggregate(llmd, desired, after, pods, progress), switches, crds);
    ChildEvents.conditionsChanged(llmd, result.conditions(), events);
    UpdateControl<LLMDeployment> control = StatusWrites.ifChanged(llmd, result.status());
    boolean loading =
        result
            .conditions()
            .get(Conditions.PROGRESSING)
            .map(c -> Reason.LOADING_MODEL.equals(c.getReason()))
            .orElse(false);
    if (loading) {
      return control.rescheduleAfter(LOADING_REFRESH);
    }
    // The CRD watch re-reconciles when one is installed; this recheck covers a watch that missed
    // it.
    return MonitoringCrds.waitingForCrd(switches, crds)
        ? control.rescheduleAfter(CRD_RECHECK)
        : control;
  }

  /**
   * Deletion, behind the finalizer: what no owner reference can reach goes here, the activator's
   * route entry (in the shared route table) and, through the workflow's deleters, a dashboard
   * ConfigMap in the Grafana namespace; everything in the resource's namespace is owned and left to
   * the garbage collector. A failed API call throws, so JOSDK retries with the finalizer still in
   * place and nothing is left behind.
   */
  @Override
  public DeleteControl cleanup(LLMDeployment llmd, Context<LLMDeployment> context) {
    routes.remove(llmd.getMetadata().getNamespace(), llmd.getMetadata().getName());
    WorkflowCleanupResult result =
        context.managedWorkflowAndDependentResourceContext().cleanupManageWorkflow();
    result.throwAggregateExceptionIfErrorsPresent();
    return result.allPostConditionsMet()
        ? DeleteControl.defaultDelete()
        : DeleteControl.noFinalizerRemoval();
  }

  /** Ready workers as the activator reaches them: pod IP and the worker port. */
  private List<String> readyTargets(Context<LLMDeployment> context) {
    return context
        .getSecondaryResourcesAsStream(Pod.class)
        .filter(WorkerPods::readyWithIp)
        .map(p -> p.getStatus().getPodIP() + ":" + workerPort)
        .sorted()
        .toList();
  }

  @Override
  public ErrorStatusUpdateControl<LLMDeployment> updateErrorStatus(
      LLMDeployment llmd, Context<LLMDeployment> context, Exception e) {
    if (context.isPrimaryResourceDeleted() || notFound(e)) {
      // The resource went away while being reconciled: nothing to report on.
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    String message = "reconcile failed: " + FailureMessage.of(e);
    LOG.errorf(e, "%s: %s", id(llmd), message);
    events.record(llmd, EventRecorder.WARNING, Reason.RECONCILE_FAILED, message);
    return StatusWrites.failed(llmd, message, clock);
  }

  private static boolean notFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 404) {
        return true;
      }
    }
    return false;
  }

  private static String id(LLMDeployment llmd) {
    return llmd.getMetadata().getNamespace() + "/" + llmd.getMetadata().getName();
  }
}
