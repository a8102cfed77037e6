package dev.cairn.operator.dependent;

import dev.cairn.api.CairnNames;
import dev.cairn.api.ResourceNames;
import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.activator.ActivatorPods;
import dev.cairn.operator.model.WorkerEndpointSliceModel;
import dev.cairn.operator.status.WorkerPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;

/**
 * The EndpointSlice of a deployment that scales to zero: workers when ready, the activator at zero.
 * The reconciler registers the deployment's activator route first and leaves it in the context.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector =
                WorkerEndpointSliceModel.MANAGED_BY_LABEL + "=" + CairnNames.MANAGED_BY))
public class WorkerEndpointSliceDependent
    extends CRUDKubernetesDependentResource<EndpointSlice, LLMDeployment> {
  /** The context key under which the reconciler leaves the deployment's {@link ActivatorRoute}. */
  public static final String ROUTE = "activator-route";

  @Inject ActivatorPods activatorPods;

  public WorkerEndpointSliceDependent() {
    super(EndpointSlice.class);
  }

  @Override
  protected EndpointSlice desired(LLMDeployment primary, Context<LLMDeployment> context) {
    ActivatorRoute route =
        context
            .managedWorkflowAndDependentResourceContext()
            .getMandatory(ROUTE, ActivatorRoute.class);
    List<Pod> ready =
        context
            .getSecondaryResourcesAsStream(Pod.class)
            .filter(WorkerPods::readyWithIp)
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
    return WorkerEndpointSliceModel.desired(primary, ready, activatorPods.readyIps(), route.port());
  }

  /**
   * The slice is named after the Service. Said here so that finding it (to delete it once the
   * deployment no longer scales to zero) does not compute {@link #desired}, which needs a route.
   */
  @Override
  protected ResourceID targetSecondaryResourceID(
      LLMDeployment primary, Context<LLMDeployment> context) {
    return new ResourceID(
        ResourceNames.service(primary.getMetadata().getName()),
        primary.getMetadata().getNamespace());
  }

  /** Reconcile precondition: only deployments with minReplicas 0 route through the activator. */
  public static class ScalesToZero implements Condition<EndpointSlice, LLMDeployment> {
    @Override
    public boolean isMet(
        DependentResource<EndpointSlice, LLMDeployment> dependent,
        LLMDeployment primary,
        Context<LLMDeployment> context) {
      return WorkerPods.scalesToZero(primary);
    }
  }
}
